package dev.nova.stream;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * One client of an SSE stream: its bounded buffer and its sink. Writes are asynchronous and one at a time; no
 * thread waits on a slow consumer. A write that fails or does not complete within the send timeout, or a full
 * buffer, ends this stream only, and the hub counts why.
 */
final class SseConsumer extends DeliveryLane<SseConsumer.Item> {

    /** Something to write: a named event with an optional id and JSON data, or a keep-alive comment. */
    record Item(String name, String id, String json) {
        static final Item KEEP_ALIVE = new Item(null, null, null);
    }

    private final long id;
    private final SseEventSink sink;
    private final Sse sse;
    private final Duration sendTimeout;
    private final ScheduledExecutorService timers;
    private final Executor executor;
    private final BiConsumer<SseConsumer, String> onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long lastWriteAt = System.currentTimeMillis();

    SseConsumer(
            long id,
            SseEventSink sink,
            Sse sse,
            StreamSettings settings,
            ScheduledExecutorService timers,
            Executor executor,
            BiConsumer<SseConsumer, String> onEnd) {
        super(settings.bufferSize(), executor);
        this.id = id;
        this.sink = sink;
        this.sse = sse;
        this.sendTimeout = settings.sendTimeout();
        this.timers = timers;
        this.executor = executor;
        this.onEnd = onEnd;
    }

    long id() {
        return id;
    }

    long lastWriteAt() {
        return lastWriteAt;
    }

    @Override
    protected CompletionStage<?> deliver(Item item) {
        if (sink.isClosed()) {
            end("disconnected", null);
            return null;
        }
        OutboundSseEvent event;
        if (item.json() == null) {
            event = sse.newEventBuilder().comment("keep-alive").build();
        } else {
            OutboundSseEvent.Builder builder =
                    sse.newEventBuilder().name(item.name()).data(item.json());
            if (item.id() != null) {
                builder.id(item.id());
            }
            event = builder.build();
        }
        return bounded(sink.send(event)).thenRun(() -> lastWriteAt = System.currentTimeMillis());
    }

    /** The write, failed with a timeout if it has not completed within the send timeout. */
    private CompletableFuture<Void> bounded(CompletionStage<?> write) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        ScheduledFuture<?> expiry = timers.schedule(
                () -> result.completeExceptionally(new TimeoutException("write blocked")),
                sendTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        write.whenComplete((v, error) -> {
            expiry.cancel(false);
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(null);
            }
        });
        return result;
    }

    @Override
    protected void overflowed() {
        end("buffer-full", "{\"reason\":\"buffer-full\",\"detail\":\"the consumer fell too far behind\"}");
    }

    @Override
    protected void failed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        end(cause instanceof TimeoutException ? "send-timeout" : "disconnected", null);
    }

    /** Ends the stream once, telling the consumer why when it can still listen. */
    void end(String reason, String farewell) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        close();
        onEnd.accept(this, reason);
        Runnable goodbye = () -> {
            if (farewell == null || sink.isClosed()) {
                sink.close();
                return;
            }
            bounded(sink.send(
                            sse.newEventBuilder().name("dropped").data(farewell).build()))
                    .whenComplete((v, error) -> sink.close());
        };
        try {
            executor.execute(goodbye);
        } catch (RuntimeException shuttingDown) {
            sink.close();
        }
    }
}
