package dev.nova.concurrency;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads that hand market data to consumers: a few ({@code base}) that take the lanes' drains from one queue,
 * one after the other, and more while some are held up, up to {@code max}.
 *
 * <p>Why not a thread per task: on Open Liberty a servlet write reaches the socket synchronously on the calling
 * thread, also in non-blocking mode, so a consumer that stops reading holds its thread until the socket drains or the
 * write times out. The pool used to hand every task to an idle thread or a new one ({@code SynchronousQueue}), so
 * that such a consumer never kept the others waiting. At a hundred messages a second per consumer every delivery
 * is a task of its own, and that hand-off (a park and an unpark per delivery) was a third of the delivery threads'
 * time with 1,000 consumers. Here a thread that finishes a task takes the next queued one without a hand-off, and a
 * watchdog, on a thread of its own, makes up for held-up threads instead. Every period it sets the pool to {@code
 * base} threads, plus one for each thread whose task has run longer than {@code stuckAfter} (a write to a consumer
 * that stopped reading), plus a few ({@code 4 × base} at most) while the task at the head of the queue has waited
 * longer than {@code stuckAfter} (every thread busy with slow writes that each stay under it): one more each period
 * that this lasts, one fewer each 40 periods without it. Only a few: when the cores are what is short, more threads
 * only share them. Threads beyond that number end when they finish their task, so the pool shrinks back as soon as
 * the held-up threads are released.
 */
public final class DeliveryPool extends ThreadPoolExecutor {

    private static final Logger LOG = Logger.getLogger(DeliveryPool.class.getName());

    private static final int LOOKS_BEFORE_LETTING_GO = 40;

    /** One worker's current task: when it began ({@code System.nanoTime()}), 0 while the worker waits for one. */
    private static final class Slot {
        volatile long startedAt;
    }

    private final int base;
    private final int max;
    private final long stuckAfterNanos;
    private final Set<Slot> slots = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Slot> mine = new ThreadLocal<>();
    /** A task and when it was handed to the pool ({@code System.nanoTime()}). */
    private record Queued(Runnable task, long at) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }

    /** Threads the watchdog added while the queue's head waited, and its looks since the head last waited. */
    private int waitingExtra;

    private int looksWithoutWaiting;

    private volatile ScheduledThreadPoolExecutor watchdog;

    /**
     * @param base threads that take queued tasks in turn
     * @param max threads at most, counting those added for held-up ones
     * @param stuckAfter how long a task runs, or queued tasks wait, before the watchdog adds a thread (milliseconds)
     */
    public DeliveryPool(int base, int max, long stuckAfter, ThreadFactory threads) {
        // Idle threads end after 10 s; threads beyond what the watchdog wants end when they finish their task.
        super(base, base, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        this.base = base;
        this.max = max;
        this.stuckAfterNanos = TimeUnit.MILLISECONDS.toNanos(stuckAfter);
        setThreadFactory(task -> threads.newThread(() -> {
            Slot slot = new Slot();
            slots.add(slot);
            mine.set(slot);
            try {
                task.run();
            } finally {
                slots.remove(slot);
            }
        }));
        allowCoreThreadTimeOut(true);
    }

    /**
     * Starts the watchdog on a thread of its own (made by {@code threads}): it looks every {@code periodMillis}, until
     * the pool has terminated, so that it still makes up for held-up threads while the pool finishes its queue.
     */
    public void watch(ThreadFactory threads, long periodMillis) {
        ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, threads);
        own.scheduleWithFixedDelay(this::adjust, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        watchdog = own;
    }

    @Override
    public void execute(Runnable task) {
        super.execute(new Queued(task, System.nanoTime()));
    }

    @Override
    protected void beforeExecute(Thread thread, Runnable task) {
        Slot slot = mine.get();
        if (slot != null) {
            slot.startedAt = System.nanoTime();
        }
    }

    @Override
    protected void afterExecute(Runnable task, Throwable error) {
        Slot slot = mine.get();
        if (slot != null) {
            slot.startedAt = 0;
        }
    }

    /** Threads whose current task has run for longer than {@code stuckAfter}. */
    public int heldUp() {
        long now = System.nanoTime();
        int held = 0;
        for (Slot slot : slots) {
            long started = slot.startedAt;
            if (started != 0 && now - started > stuckAfterNanos) {
                held++;
            }
        }
        return held;
    }

    /** Sets the pool's size for what the watchdog sees now (see the class comment). Never throws. */
    void adjust() {
        try {
            int held = heldUp();
            boolean waiting =
                    getQueue().peek() instanceof Queued head && System.nanoTime() - head.at() > stuckAfterNanos;
            // Only once the threads for the held-up ones are there: a task queued behind a held-up thread waits too.
            if (waiting && getPoolSize() >= base + held + waitingExtra) {
                waitingExtra = Math.min(Math.min(max - base, 4 * base), waitingExtra + 1);
            }
            looksWithoutWaiting = waiting ? 0 : looksWithoutWaiting + 1;
            // Let one go only after 40 looks (a second) without a wait: on cores that are simply full the head waits
            // on and off, and threads made and ended at that pace cost more than they give.
            if (looksWithoutWaiting >= LOOKS_BEFORE_LETTING_GO && waitingExtra > 0) {
                waitingExtra--;
                looksWithoutWaiting = 0;
            }
            resize(Math.min(max, base + held + waitingExtra));
        } catch (Throwable e) {
            // A thread that cannot be made (the factory refused, no memory for a native thread): try again next time.
            LOG.log(Level.WARNING, "NOVA-4003 the delivery pool could not be resized", e);
        }
    }

    private void resize(int wanted) {
        int now = getCorePoolSize();
        if (wanted > now) {
            // The maximum first: the core size may not exceed it. Raising the core starts threads for queued tasks.
            setMaximumPoolSize(wanted);
            setCorePoolSize(wanted);
            LOG.fine(() -> "delivery pool: " + wanted + " threads now");
        } else if (wanted < now) {
            // With the maximum lowered too, a thread beyond it ends when it next looks for a task.
            setCorePoolSize(wanted);
            setMaximumPoolSize(wanted);
        }
    }

    /** The watchdog stops with the pool, not before: until then a held-up thread is still made up for. */
    @Override
    protected void terminated() {
        ScheduledThreadPoolExecutor own = watchdog;
        if (own != null) {
            own.shutdownNow();
        }
    }

    /** Stops the pool and its watchdog at once; says how many queued deliveries were dropped. */
    @Override
    public List<Runnable> shutdownNow() {
        terminated();
        List<Runnable> dropped = super.shutdownNow();
        if (!dropped.isEmpty()) {
            LOG.fine(() -> "delivery pool stopped with " + dropped.size() + " deliveries queued");
        }
        return dropped;
    }
}
