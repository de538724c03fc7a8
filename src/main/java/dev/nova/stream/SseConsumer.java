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
 * One client of an SSE stream: its bounded buffer and its sink. What has queued up (events framed once, shared by
 * all their consumers) is written in one asynchronous write; no thread waits on a slow consumer. A write that fails,
 * one that the hub's sweep finds blocked for longer than the send timeout, or a full buffer, ends this stream only,
 * and the hub counts why.
 */
final class SseConsumer extends DeliveryLane<SseConsumer.Item> {

    /**
     * Something to write, already framed: an event, or a keep-alive comment. The bytes are shared by every consumer
     * of the event and never changed; {@code framedAt} ({@link System#nanoTime()}) is when this node framed it.
     */
    record Item(byte[] bytes, boolean event, long framedAt) {
        static final Item KEEP_ALIVE = new Item(SseFrames.KEEP_ALIVE, false);

        Item(byte[] bytes, boolean event) {
            this(bytes, event, System.nanoTime());
        }

        /** A named event with an optional id and JSON data. */
        static Item event(String name, String id, String json) {
            return new Item(SseFrames.event(name, id, json), true);
        }
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
    private final long maxLagNanos;
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
        this.maxLagNanos = settings.maxLag().toNanos();
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
        if (lagging(batch)) {
            end("lagging", "{\"reason\":\"lagging\",\"detail\":\"the consumer's oldest event waited too long\"}");
            return null;
        }
        byte[] bytes;
        int events = 0;
        if (batch.size() == 1) {
            bytes = batch.get(0).bytes();
            events = batch.get(0).event() ? 1 : 0;
        } else {
            int length = 0;
            for (Item item : batch) {
                length += item.bytes().length;
            }
            bytes = new byte[length];
            int at = 0;
            for (Item item : batch) {
                System.arraycopy(item.bytes(), 0, bytes, at, item.bytes().length);
                at += item.bytes().length;
                if (item.event()) {
                    events++;
                }
            }
        }
        counters.writes().increment();
        counters.events().add(events);
        writeStartedAt = System.currentTimeMillis();
        return sink.write(bytes).whenComplete((v, error) -> {
            writeStartedAt = 0;
            if (error == null) {
                lastWriteAt = System.currentTimeMillis();
            }
        });
    }

    /**
     * Whether the batch's oldest event waited on this node for longer than {@code nova.stream.max-lag}: market data
     * that old is of no use to a consumer, and a node that cannot keep up (more consumers than its cores can write to)
     * would otherwise deliver a backlog of it for as long as the buffer holds, also to consumers keeping their pace.
     */
    private boolean lagging(List<Item> batch) {
        if (maxLagNanos <= 0) {
            return false;
        }
        for (Item item : batch) {
            if (item.event()) {
                return System.nanoTime() - item.framedAt() > maxLagNanos;
            }
        }
        return false;
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
            sink.write(SseFrames.event("dropped", null, farewell))
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
