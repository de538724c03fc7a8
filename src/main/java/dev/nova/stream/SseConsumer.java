package dev.nova.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * One client of an SSE stream: its bounded buffer and its sink. What has queued up is framed as SSE text and
 * written in one asynchronous write; no thread waits on a slow consumer. A write that fails or does not complete
 * within the send timeout, or a full buffer, ends this stream only, and the hub counts why.
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
    private final ScheduledExecutorService timers;
    private final Executor executor;
    private final BiConsumer<SseConsumer, String> onEnd;
    private final Counters counters;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long lastWriteAt = System.currentTimeMillis();

    SseConsumer(
            long id,
            EventSink sink,
            StreamSettings settings,
            ScheduledExecutorService timers,
            Executor executor,
            Counters counters,
            BiConsumer<SseConsumer, String> onEnd) {
        super(settings.bufferSize(), executor);
        this.counters = counters;
        this.id = id;
        this.sink = sink;
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
        return bounded(sink.write(text.toString())).thenRun(() -> lastWriteAt = System.currentTimeMillis());
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
            StringBuilder text = new StringBuilder();
            frame(text, new Item("dropped", null, farewell));
            bounded(sink.write(text.toString())).whenComplete((v, error) -> sink.close());
        };
        try {
            executor.execute(goodbye);
        } catch (RuntimeException shuttingDown) {
            sink.close();
        }
    }
}
