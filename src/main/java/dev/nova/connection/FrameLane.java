package dev.nova.connection;

import dev.nova.concurrency.Deferred;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * Hands a session's inbound frames from the transport's reading thread to a task on another thread, which handles
 * them in arrival order. The reading thread then only reads (Tyrus' framing and UTF-8 decoding) while decoding,
 * sequencing and fan-out run beside it: on one busy connection the reading thread was the bottleneck with both
 * halves on it. The end of the session (a close or an error the transport reports) goes through the lane too, after
 * the frames that arrived before it, so that nothing read before the end is handled after it.
 *
 * <p>The queue is JCTools' bounded lock-free array queue: neither side takes a lock per frame (a lock here was
 * measured at full ingest: the two threads kept waking each other to hand it over). A full lane ({@code capacity}
 * frames, rounded up to a power of two, or {@code maxChars} characters of them) makes the reading thread wait until
 * the handler has emptied half of it, which pushes back on the exchange's socket exactly as handling the frames on
 * the reading thread did; nothing is dropped. {@link #close} releases a waiting reader, and what is queued is
 * discarded. When the executor refuses work (the application stopping), the lane is drained on the calling thread.
 */
final class FrameLane {

    private static final Logger LOG = Logger.getLogger(FrameLane.class.getName());

    /** What handles a frame, in order, on the lane's thread. */
    interface Handler {
        void onFrame(String text, long receivedAt);
    }

    /** A frame and when it arrived (epoch ms), or (text null) something to run in its place. */
    private record Item(String text, long receivedAt, Runnable action) {}

    /**
     * Frames handled before the deliveries they fed are started: more events per consumer write, and a bound on
     * how long a message waits for its delivery to start (64 frames take the lane some 40 µs at full rate).
     */
    private static final int DELIVERY_EVERY = 64;

    /** Items one task handles before it gives the thread back to the executor (other sessions share it). */
    private static final int ITEMS_PER_TASK = 4096;

    /**
     * How long a waiting reader sleeps before it looks again by itself: a safety net, since the handling thread wakes
     * it when the lane is half empty.
     */
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** How often {@link #then} looks for room in a full lane (rare: a session ending while its lane is full). */
    private static final long THEN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final VarHandle OFFERED_CHARS;

    static {
        try {
            OFFERED_CHARS = MethodHandles.lookup().findVarHandle(FrameLane.class, "offeredChars", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int capacity;
    private final long maxChars;
    private final long waitNanos;
    private final Executor executor;
    private final Handler handler;
    private final MpscAtomicArrayQueue<Item> queue;
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /**
     * Characters of the frames offered so far: written by the offering thread only (opaque, so that the handling
     * thread reads a whole value, if not always the latest).
     */
    private long offeredChars;
    /** What the offering thread last read of {@link #takenChars}: read again only when the budget seems spent. */
    private long takenCharsSeen;
    /** Characters of the frames taken off the queue so far: written by the handling thread only. */
    private volatile long takenChars;

    /** The reading thread while it waits for room, else null. */
    private volatile Thread waiting;

    private volatile boolean closed;

    FrameLane(int capacity, long maxChars, Executor executor, Handler handler) {
        this(capacity, maxChars, WAIT_NANOS, executor, handler);
    }

    /** With the reader's own look-again interval: tests make it long, so that only a wake-up lets a reader go on. */
    FrameLane(int capacity, long maxChars, long waitNanos, Executor executor, Handler handler) {
        this.queue = new MpscAtomicArrayQueue<>(Math.max(2, capacity));
        this.capacity = queue.capacity();
        this.maxChars = maxChars;
        this.waitNanos = waitNanos;
        this.executor = executor;
        this.handler = handler;
    }

    /**
     * Called on the reading thread (one at a time per session): queues the frame, waiting while the lane is full.
     */
    void offer(String text, long receivedAt) {
        Item item = new Item(text, receivedAt, null);
        int chars = text.length();
        while (!closed) {
            if (!overBudget(chars)) {
                long offered = offeredChars;
                OFFERED_CHARS.setOpaque(this, offered + chars);
                if (queue.offer(item)) {
                    start();
                    return;
                }
                OFFERED_CHARS.setOpaque(this, offered);
            }
            if (!await(chars)) {
                return;
            }
        }
    }

    /**
     * Runs {@code action} on the lane once every frame offered before it has been handled. May be called on any
     * thread; in a full lane it looks for room every millisecond rather than taking the reader's place as the one
     * thread the handler wakes.
     */
    void then(Runnable action) {
        Item item = new Item(null, 0, action);
        while (!closed) {
            if (queue.offer(item)) {
                start();
                return;
            }
            LockSupport.parkNanos(this, THEN_POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                LOG.warning("a thread was interrupted while waiting to end a session's frame lane; the end is lost");
                return;
            }
        }
    }

    /** Refuses what comes and releases a waiting reader; what is queued is discarded, not handled. */
    void close() {
        closed = true;
        Thread reader = waiting;
        if (reader != null) {
            LockSupport.unpark(reader);
        }
        // Lets a drain release the queued frames now rather than when the session is collected.
        start();
    }

    /** Frames (and actions) waiting; once the lane is closed, those not yet discarded. */
    int backlog() {
        return queue.size();
    }

    /** Whether this frame would take the queued characters over the budget (a frame alone always fits). */
    private boolean overBudget(int chars) {
        if (offeredChars - takenCharsSeen + chars <= maxChars) {
            return false;
        }
        takenCharsSeen = takenChars;
        return offeredChars != takenCharsSeen && offeredChars - takenCharsSeen + chars > maxChars;
    }

    /** Waits for the handler to make room; false when the thread was interrupted (the frame is then lost). */
    private boolean await(int chars) {
        waiting = Thread.currentThread();
        try {
            // Looked at again once the wait is announced: the handler reads {@code waiting} after each item it takes.
            if (!closed && (queue.size() >= capacity || overBudget(chars))) {
                LockSupport.parkNanos(this, waitNanos);
            }
        } finally {
            waiting = null;
        }
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            LOG.warning("a session's reading thread was interrupted while waiting for its frame lane; a frame is lost");
            return false;
        }
        return true;
    }

    private void start() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        try {
            executor.execute(this::drain);
        } catch (RuntimeException refused) {
            // Rejected (the pool is stopping) or the container refusing new threads: drain here instead, in a loop
            // (a drain that scheduled its successor would recurse here).
            do {
                drainSome();
            } while (!queue.isEmpty() && scheduled.compareAndSet(false, true));
        }
    }

    /** A task on the executor: handles what it can, then schedules its successor if frames are left. */
    private void drain() {
        drainSome();
        if (!queue.isEmpty()) {
            start();
        }
    }

    /** Handles up to {@value #ITEMS_PER_TASK} items, then gives up the {@code scheduled} flag it was called with. */
    private void drainSome() {
        long taken = takenChars;
        try (Deferred deliveries = Deferred.open()) {
            // The delivery lanes these frames feed start once per DELIVERY_EVERY frames, not once per message.
            for (int handled = 0; handled < ITEMS_PER_TASK; handled++) {
                Item item = queue.poll();
                if (item == null) {
                    break;
                }
                if (item.text() != null) {
                    taken += item.text().length();
                }
                // A volatile write, so ordered before the read of {@code waiting} that follows (see await()).
                takenChars = taken;
                Thread reader = waiting;
                if (reader != null && roomy(taken)) {
                    LockSupport.unpark(reader);
                }
                if (!closed) {
                    handle(item);
                }
                if (handled % DELIVERY_EVERY == DELIVERY_EVERY - 1) {
                    deliveries.flush();
                }
            }
        } finally {
            scheduled.set(false);
        }
    }

    /**
     * Whether a waiting reader should go on: the lane is empty, or at most half full in frames and in characters.
     * Waking it at the first free slot had the two threads taking turns at every frame.
     */
    private boolean roomy(long taken) {
        if (queue.isEmpty()) {
            return true;
        }
        long offered = (long) OFFERED_CHARS.getOpaque(this);
        return queue.size() <= capacity / 2 && offered - taken <= maxChars / 2;
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
