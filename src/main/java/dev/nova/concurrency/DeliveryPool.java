package dev.nova.concurrency;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The threads that hand market data to consumers: a few ({@code base}) that take the lanes' drains from one queue,
 * one after the other, and one more for each thread held up in a task for longer than {@code stuckAfter}, up to
 * {@code max}.
 *
 * <p>Why not a thread per task: on Open Liberty a servlet write reaches the socket synchronously on the calling
 * thread, also in non-blocking mode, so a consumer that stops reading holds its thread until the socket drains or the
 * write times out. The pool used to hand every task to an idle thread or a new one ({@code SynchronousQueue}), so
 * that such a consumer never kept the others waiting. At a hundred messages a second per consumer every delivery
 * is a task of its own, and that hand-off (a park and an unpark per delivery) was a third of the delivery threads'
 * time with 1,000 consumers. Here a thread that finishes a task takes the next queued one without a hand-off, and
 * the held-up threads are made up for by a watchdog ({@link #watch}) instead: a consumer that stops reading holds
 * its thread, not the others' deliveries, once the watchdog has seen it (within {@code stuckAfter} plus one
 * period). When the held-up threads are released the pool shrinks back as its extra threads fall idle.
 */
public final class DeliveryPool extends ThreadPoolExecutor {

    private static final Logger LOG = Logger.getLogger(DeliveryPool.class.getName());

    /** One worker's current task: when it began ({@code System.nanoTime()}), 0 while the worker waits for one. */
    private static final class Slot {
        volatile long startedAt;
    }

    private final int base;
    private final int max;
    private final long stuckAfterNanos;
    private final Set<Slot> slots = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Slot> mine = new ThreadLocal<>();
    private ScheduledFuture<?> watchdog;

    /**
     * @param base threads that take queued tasks in turn
     * @param max threads at most, counting those added for held-up ones
     * @param stuckAfter how long a task runs before its thread counts as held up (milliseconds)
     */
    public DeliveryPool(int base, int max, long stuckAfter, ThreadFactory threads) {
        // Idle threads end after 10 s: the ones added for held-up threads do not linger long taking queued tasks.
        super(base, max, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
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

    /** Starts the watchdog on {@code timers}: it looks for held-up threads every {@code periodMillis}. */
    public void watch(ScheduledExecutorService timers, long periodMillis) {
        watchdog = timers.scheduleWithFixedDelay(this::adjust, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
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

    /** Sets the threads to {@code base} plus the held-up ones: added at once while tasks wait, removed when idle. */
    void adjust() {
        int held = heldUp();
        int wanted = Math.min(max, base + held);
        int now = getCorePoolSize();
        if (wanted != now) {
            setCorePoolSize(wanted);
            if (wanted > now) {
                LOG.fine(() -> "delivery pool: " + held + " thread(s) held up, " + wanted + " threads now");
            }
        }
    }

    @Override
    public void shutdown() {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        super.shutdown();
    }
}
