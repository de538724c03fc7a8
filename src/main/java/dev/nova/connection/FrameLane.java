package dev.nova.connection;

import dev.nova.concurrency.Deferred;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands a session's inbound frames from the transport's reading thread to a task on another thread, which handles
 * them in arrival order. The reading thread then only reads (Tyrus' framing and UTF-8 decoding) while decoding,
 * sequencing and fan-out run beside it: on one busy connection the reading thread was the bottleneck with both
 * halves on it. The end of the session (a close or an error the transport reports) goes through the lane too, after
 * the frames that arrived before it, so that nothing read before the end is handled after it.
 *
 * <p>A full lane ({@code capacity} frames, or {@code maxChars} characters of them) makes the reading thread wait
 * until the handler catches up, which pushes back on the exchange's socket exactly as handling the frames on the
 * reading thread did; nothing is dropped. {@link #close} releases a waiting reader and discards what is queued. When
 * the executor refuses work (the application stopping), the lane is drained on the calling thread.
 */
final class FrameLane {

    private static final Logger LOG = Logger.getLogger(FrameLane.class.getName());

    /** What handles a frame, in order, on the lane's thread. */
    interface Handler {
        void onFrame(String text, long receivedAt);
    }

    /** A frame and when it arrived (epoch ms), or (text null) something to run in its place. */
    private record Item(String text, long receivedAt, Runnable action) {}

    /** Items one batch takes from the queue. */
    private static final int BATCH = 256;

    /**
     * Frames handled before the deliveries they fed are started: more events per consumer write, and a bound on
     * how long a message waits for its delivery to start (64 frames take the lane some 40 µs at full rate).
     */
    private static final int DELIVERY_EVERY = 64;

    /** Batches one task handles before it gives the thread back to the executor (other sessions share it). */
    private static final int ROUNDS_PER_TASK = 16;

    private final int capacity;
    private final long maxChars;
    private final Executor executor;
    private final Handler handler;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private long queuedChars;
    private volatile boolean closed;

    FrameLane(int capacity, long maxChars, Executor executor, Handler handler) {
        this.capacity = capacity;
        this.maxChars = maxChars;
        this.executor = executor;
        this.handler = handler;
    }

    /** Called on the reading thread: queues the frame, waiting while the lane is full. */
    void offer(String text, long receivedAt) {
        enqueue(new Item(text, receivedAt, null), text.length());
    }

    /** Runs {@code action} on the lane once every frame offered before it has been handled. */
    void then(Runnable action) {
        enqueue(new Item(null, 0, action), 0);
    }

    /** Discards what is queued and refuses what comes; a reader waiting for room returns. */
    void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            queuedChars = 0;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Frames (and actions) waiting. */
    int backlog() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(Item item, int chars) {
        lock.lock();
        try {
            // A frame larger than the whole budget still goes in once the lane is empty.
            while (!closed && (queue.size() >= capacity || (!queue.isEmpty() && queuedChars + chars > maxChars))) {
                notFull.await(100, TimeUnit.MILLISECONDS);
            }
            if (closed) {
                return;
            }
            queue.addLast(item);
            queuedChars += chars;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warning("a session's reading thread was interrupted while waiting for its frame lane; a frame is lost");
            return;
        } finally {
            lock.unlock();
        }
        if (scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        try {
            executor.execute(this::drain);
        } catch (RuntimeException refused) {
            // Rejected (the pool is stopping) or the container refusing new threads: drain here instead.
            drain();
        }
    }

    private void drain() {
        List<Item> batch = new ArrayList<>(BATCH);
        try {
            for (int round = 0; round < ROUNDS_PER_TASK; round++) {
                take(batch);
                if (batch.isEmpty()) {
                    break;
                }
                // The delivery lanes these frames feed start once per part of the batch, not once per message.
                try (Deferred deliveries = Deferred.open()) {
                    for (int i = 0; i < batch.size(); i++) {
                        handle(batch.get(i));
                        if (i % DELIVERY_EVERY == DELIVERY_EVERY - 1) {
                            deliveries.flush();
                        }
                    }
                }
                batch.clear();
            }
        } finally {
            scheduled.set(false);
        }
        if (!closed && backlog() > 0 && scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void take(List<Item> batch) {
        lock.lock();
        try {
            for (int i = 0; i < BATCH && !queue.isEmpty(); i++) {
                Item item = queue.pollFirst();
                if (item.text() != null) {
                    queuedChars -= item.text().length();
                }
                batch.add(item);
            }
            if (!batch.isEmpty()) {
                notFull.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void handle(Item item) {
        try {
            if (item.text() != null) {
                handler.onFrame(item.text(), item.receivedAt());
            } else {
                item.action().run();
            }
        } catch (RuntimeException e) {
            // The handler catches its own failures; this keeps the lane going should one slip through.
            LOG.log(Level.WARNING, "NOVA-2013 handling a frame failed", e);
        }
    }
}
