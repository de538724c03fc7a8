package dev.nova.stream;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bounded queue drained by one task at a time on a shared executor. {@link #offer} never blocks: it is called
 * on exchange reading threads. What happens when the queue is full is the subclass' decision.
 */
public abstract class DeliveryLane<T> {

    private static final int BATCH = 256;

    private final ArrayBlockingQueue<T> queue;
    private final Executor executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean closed;

    protected DeliveryLane(int capacity, Executor executor) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.executor = executor;
    }

    /** Enqueues an item; false when the lane is closed or full (after {@link #overflowed} ran). */
    public final boolean offer(T item) {
        if (closed) {
            return false;
        }
        if (!queue.offer(item)) {
            overflowed();
            return false;
        }
        schedule();
        return true;
    }

    /** Stops delivery; queued items are discarded. */
    public void close() {
        closed = true;
        queue.clear();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Items waiting. */
    public int backlog() {
        return queue.size();
    }

    /** Delivers one item on the delivery executor. An exception closes nothing by itself: see {@link #failed}. */
    protected abstract void deliver(T item) throws Exception;

    /** The queue was full when an item arrived. */
    protected abstract void overflowed();

    /** Delivery threw; the item is lost. */
    protected abstract void failed(Exception error);

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                close();
            }
        }
    }

    private void drain() {
        try {
            T item;
            int delivered = 0;
            while (!closed && delivered < BATCH && (item = queue.poll()) != null) {
                try {
                    deliver(item);
                } catch (Exception e) {
                    failed(e);
                }
                delivered++;
            }
        } finally {
            scheduled.set(false);
            if (!closed && !queue.isEmpty()) {
                schedule();
            }
        }
    }
}
