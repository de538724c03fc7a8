package dev.nova.concurrency;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs submitted tasks one at a time, in order, on a shared executor: state touched only from tasks of one
 * serial executor needs no locks. A failing task is logged and does not stop the ones after it.
 */
public final class SerialExecutor implements Executor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Executor executor;
    private final String name;

    public SerialExecutor(Executor executor, String name) {
        this.executor = executor;
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    private void schedule() {
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                LOG.log(Level.FINE, "lane " + name + " dropped its tasks: executor shut down", e);
                tasks.clear();
            } catch (Throwable e) {
                // Never leave the lane marked scheduled with nobody draining it.
                scheduled.set(false);
                LOG.log(Level.WARNING, "NOVA-9002 lane " + name + " could not schedule its tasks", e);
            }
        }
    }

    private void drain() {
        try {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, "NOVA-9001 task on lane " + name + " failed", e);
                }
            }
        } finally {
            scheduled.set(false);
            schedule();
        }
    }
}
