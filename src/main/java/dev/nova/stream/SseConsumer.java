package dev.nova.stream;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client of {@code GET /api/stream}: its filter, its bounded buffer and its SSE sink. Writes happen only on
 * the delivery pool; a write that fails or blocks past the send timeout, or a full buffer, ends the stream and the
 * hub counts why.
 */
final class SseConsumer extends DeliveryLane<SseConsumer.Item> {

    /** Something to write: a market message (already encoded) or a keep-alive comment. */
    record Item(long sequence, String json) {
        static final Item KEEP_ALIVE = new Item(0, null);
    }

    private final long id;
    private final StreamFilter filter;
    private final SseEventSink sink;
    private final Sse sse;
    private final Duration sendTimeout;
    private final StreamHub hub;
    private final Executor executor;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long lastWriteAt = System.currentTimeMillis();

    SseConsumer(
            long id,
            StreamFilter filter,
            SseEventSink sink,
            Sse sse,
            StreamSettings settings,
            StreamHub hub,
            Executor executor) {
        super(settings.bufferSize(), executor);
        this.id = id;
        this.filter = filter;
        this.sink = sink;
        this.sse = sse;
        this.sendTimeout = settings.sendTimeout();
        this.hub = hub;
        this.executor = executor;
    }

    long id() {
        return id;
    }

    StreamFilter filter() {
        return filter;
    }

    long lastWriteAt() {
        return lastWriteAt;
    }

    @Override
    protected void deliver(Item item) throws Exception {
        if (sink.isClosed()) {
            end("disconnected", null);
            return;
        }
        OutboundSseEvent event = item.json() == null
                ? sse.newEventBuilder().comment("keep-alive").build()
                : message(item);
        try {
            sink.send(event).toCompletableFuture().get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            lastWriteAt = System.currentTimeMillis();
        } catch (TimeoutException e) {
            end("send-timeout", null);
        }
    }

    private OutboundSseEvent message(Item item) {
        OutboundSseEvent.Builder builder = sse.newEventBuilder().name("message").data(item.json());
        if (item.sequence() != MarketMessage.NO_SEQUENCE) {
            builder.id(Long.toString(item.sequence()));
        }
        return builder.build();
    }

    @Override
    protected void overflowed() {
        end("buffer-full", "{\"reason\":\"buffer-full\",\"detail\":\"the consumer fell too far behind\"}");
    }

    @Override
    protected void failed(Exception error) {
        end("disconnected", null);
    }

    /** Ends the stream once, telling the consumer why when it can still listen. */
    void end(String reason, String farewell) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        close();
        hub.ended(this, reason);
        executor.execute(() -> {
            try {
                if (farewell != null && !sink.isClosed()) {
                    sink.send(sse.newEventBuilder()
                                    .name("dropped")
                                    .data(farewell)
                                    .build())
                            .toCompletableFuture()
                            .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (Exception ignored) {
                // The consumer is gone already; nothing else to tell it.
            } finally {
                sink.close();
            }
        });
    }
}
