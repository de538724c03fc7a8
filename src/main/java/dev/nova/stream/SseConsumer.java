package dev.nova.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * One client of an SSE stream: its bounded buffer and its sink. What has queued up is framed as SSE text and
 * written in one asynchronous write; no thread waits on a slow consumer. A write that fails, one that the hub's
 * sweep finds blocked for longer than the send timeout, or a full buffer, ends this stream only, and the hub counts
 * why.
 */
final class SseConsumer extends DeliveryLane<SseConsumer.Item> {

    /** Something to write: a named event with an optional id and JSON data, or a keep-alive comment. */
    record Item(String name, String id, String json) {
        static final Item KEEP_ALIVE = new Item(null, null, null);
    }

    /** What the node's streams have written: writes to sinks and the events they carried. */
    record Counters(LongAdder writes, LongAdder events) {
        Counters() {
            this(new LongAdder(), new LongAdder());
        }
    }

    private final long id;
    private final EventSink sink;
    private final Duration sendTimeout;
    private final Executor executor;
    private final BiConsumer<SseConsumer, String> onEnd;
    private final Counters counters;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long lastWriteAt = System.currentTimeMillis();
    /** When the write under way began; 0 when none is. */
    private volatile long writeStartedAt;

    SseConsumer(
            long id,
            EventSink sink,
            StreamSettings settings,
            Executor executor,
            Counters counters,
            BiConsumer<SseConsumer, String> onEnd) {
        super(settings.bufferSize(), executor);
        this.counters = counters;
        this.id = id;
        this.sink = sink;
        this.sendTimeout = settings.sendTimeout();
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
    protected CompletionStage<?> deliver(List<Item> batch) {
        if (sink.isClosed()) {
            end("disconnected", null);
            return null;
        }
        StringBuilder text = new StringBuilder(batch.size() * 320);
        int events = 0;
        for (Item item : batch) {
            frame(text, item);
            if (item.json() != null) {
                events++;
            }
        }
        counters.writes().increment();
        counters.events().add(events);
        writeStartedAt = System.currentTimeMillis();
        return sink.write(text.toString()).whenComplete((v, error) -> {
            writeStartedAt = 0;
            if (error == null) {
                lastWriteAt = System.currentTimeMillis();
            }
        });
    }

    /**
     * Ends the stream if its current write has been blocked for longer than the send timeout. Called by the hub's
     * periodic sweep: no timer is armed per write on the delivery path.
     */
    void expireBlockedWrite(long now) {
        long started = writeStartedAt;
        if (started != 0 && now - started >= sendTimeout.toMillis()) {
            end("send-timeout", null);
        }
    }

    /** Appends one SSE event (or a keep-alive comment); data with line breaks becomes several data lines. */
    static void frame(StringBuilder out, Item item) {
        if (item.json() == null) {
            out.append(": keep-alive\n\n");
            return;
        }
        out.append("event: ").append(item.name()).append('\n');
        if (item.id() != null) {
            out.append("id: ").append(item.id()).append('\n');
        }
        String data = item.json();
        if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) {
            out.append("data: ").append(data).append('\n');
        } else {
            for (String line : data.split("\r\n|\r|\n", -1)) {
                out.append("data: ").append(line).append('\n');
            }
        }
        out.append('\n');
    }

    @Override
    protected void overflowed() {
        end("buffer-full", "{\"reason\":\"buffer-full\",\"detail\":\"the consumer fell too far behind\"}");
    }

    @Override
    protected void failed(Throwable error) {
        end("disconnected", null);
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
            StringBuilder text = new StringBuilder();
            frame(text, new Item("dropped", null, farewell));
            sink.write(text.toString())
                    .toCompletableFuture()
                    .orTimeout(sendTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((v, error) -> sink.close());
        };
        try {
            executor.execute(goodbye);
        } catch (RuntimeException shuttingDown) {
            sink.close();
        }
    }
}
