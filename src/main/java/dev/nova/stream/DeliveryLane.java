package dev.nova.stream;

import dev.nova.concurrency.Deferred;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * A bounded queue drained by one task at a time on a shared executor. {@link #offer} never blocks: it is called
 * on the threads handling exchange frames; on a frame lane, which handles frames in batches, the drain starts when
 * the lane has handled a part of its batch ({@link Deferred}), so that one write carries more events. Items are delivered in batches of what has queued up (at most {@value #BATCH}), so
 * a consumer that falls behind catches up with fewer, larger writes. A delivery may complete later (an
 * asynchronous write): the lane then waits for it without holding a thread, and resumes when it completes. What
 * happens when the queue is full is the subclass' decision.
 *
 * <p>The queue is JCTools' bounded lock-free queue for many producers and one consumer: an offer takes no lock (a
 * lane is fed by every frame lane whose channels it follows, the cluster bus and the hub's sweep), and the one drain
 * under way, the holder of the {@code scheduled} flag, is its only consumer. A lane closed while no drain is under
 * way is emptied by the thread that closes it, having taken the flag. Otherwise the drain empties it when it next
 * runs: at once if it is delivering, when its pending write completes (closing an SSE sink fails a write that waits
 * for the connection to become ready), or when the {@link Deferred} scope that put it off flushes.
 */
public abstract class DeliveryLane<T> {

    private static final int BATCH = 256;

    /** Batches one task delivers at most, one after the other, before it hands the lane back to the executor. */
    private static final int ROUNDS_PER_TASK = 16;

    private final MpscAtomicArrayQueue<T> queue;
    /** The queue's bound: JCTools rounds its array up to a power of two. */
    private final int capacity;

    private final Executor executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** {@link #run}, as one object: put off by a thread handling a batch of frames (see {@link Deferred}). */
    private final Runnable start = this::run;

    private volatile boolean closed;

    protected DeliveryLane(int capacity, Executor executor) {
        this.queue = new MpscAtomicArrayQueue<>(Math.max(2, capacity));
        this.capacity = capacity;
        this.executor = executor;
    }

    /** Enqueues an item; false when the lane is closed or full (after {@link #overflowed} ran). */
    public final boolean offer(T item) {
        if (closed) {
            return false;
        }
        if (!queue.offerIfBelowThreshold(item, capacity)) {
            overflowed();
            return false;
        }
        if (scheduled.compareAndSet(false, true) && !Deferred.defer(start)) {
            run();
        }
        return true;
    }

    /**
     * Stops delivery; queued items are discarded, now or by the drain under way when it next runs (see the class
     * comment). Until then {@link #backlog} still counts them.
     */
    public void close() {
        closed = true;
        if (scheduled.compareAndSet(false, true)) {
            release();
        }
    }

    /** Empties a closed lane; the caller holds the {@code scheduled} flag, so it is the queue's one consumer. */
    private void release() {
        // An offer that passed the closed check before close() may queue after the clear: taken by the next turn.
        do {
            queue.clear();
            scheduled.set(false);
        } while (!queue.isEmpty() && scheduled.compareAndSet(false, true));
    }

    public boolean isClosed() {
        return closed;
    }

    /** Items waiting; on a closed lane, items not yet discarded. */
    public int backlog() {
        return queue.size();
    }

    /**
     * Delivers a batch of items, in order, on the delivery executor. Returns null, or a stage that completes when
     * they are delivered; the next batch waits for it.
     */
    protected abstract CompletionStage<?> deliver(List<T> batch) throws Exception;

    /** The queue was full when an item arrived. */
    protected abstract void overflowed();

    /** Delivery failed; the item is lost. */
    protected abstract void failed(Throwable error);

    /** Runs a drain on the executor; the caller owns the {@code scheduled} flag. */
    private void run() {
        try {
            executor.execute(this::drain);
        } catch (RuntimeException refused) {
            if (executor instanceof ExecutorService pool && pool.isShutdown()) {
                closed = true;
                release();
                return;
            }
            scheduled.set(false);
            if (closed && scheduled.compareAndSet(false, true)) {
                release();
            }
            // Otherwise a bounded executor is full (the node's delivery pool queues every task; tests use bounded
            // ones): the items stay queued until the next offer, or until retry(), which the hub's sweep calls for SSE
            // streams only (a CDI or cluster-bus lane waits for its next message).
        }
    }

    /** Starts a drain if items are waiting and none is under way (after the executor refused one). */
    public void retry() {
        if (!closed && !queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            run();
        }
    }

    private void drain() {
        // Batches whose delivery completes at once (a write the socket took) are followed by the next one on this
        // thread: handing each batch to the executor anew cost a task hand-off and often a thread wake-up per batch,
        // measured at full ingest. Bounded, so that one busy lane does not keep a shared thread from the others.
        for (int round = 0; round < ROUNDS_PER_TASK && !closed; round++) {
            // The first item by poll(), which is null only when the queue is empty: at a slot a producer has claimed
            // but not filled yet it spins until the item is stored (drain() would stop there, and giving up would
            // resubmit the lane in a loop for as long). The rest by drain(), as far as the items are there.
            T first = queue.poll();
            if (first == null) {
                break;
            }
            List<T> batch = new ArrayList<>(Math.min(BATCH, queue.size() + 1));
            batch.add(first);
            queue.drain(batch::add, BATCH - 1);
            CompletionStage<?> pending;
            try {
                pending = deliver(batch);
            } catch (Exception e) {
                failed(e);
                pending = null;
            }
            if (pending != null) {
                CompletableFuture<?> future = pending.toCompletableFuture();
                if (!future.isDone()) {
                    // Keep the lane scheduled and resume once the write completes: no thread waits meanwhile.
                    future.whenComplete((v, error) -> {
                        if (error != null) {
                            failed(error);
                        }
                        run();
                    });
                    return;
                }
                if (future.isCompletedExceptionally()) {
                    future.exceptionally(error -> {
                        failed(error);
                        return null;
                    });
                }
            }
        }
        scheduled.set(false);
        // Looked at again once the flag is given up: a close() or an offer meanwhile saw it taken and left it to us.
        if ((closed || !queue.isEmpty()) && scheduled.compareAndSet(false, true)) {
            if (closed) {
                release();
            } else {
                run();
            }
        }
    }
}
