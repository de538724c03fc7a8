package dev.nova.concurrency;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Work a thread puts off until it reaches a point of its own choosing: while a frame lane handles a batch of
 * frames, the delivery lanes it feeds are started once per part of the batch instead of once per message, so a
 * consumer's write carries more events and fewer threads are woken. Outside a scope nothing is put off.
 *
 * <p>A scope belongs to the thread that opened it. Opening one inside another joins the outer one: its work runs
 * when the outer scope flushes or closes.
 */
public final class Deferred implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Deferred.class.getName());

    private static final ThreadLocal<Deferred> CURRENT = new ThreadLocal<>();

    private final List<Runnable> pending = new ArrayList<>();
    private int depth;
    private boolean flushing;

    private Deferred() {}

    /** Opens a scope on this thread, or joins the one already open; close it (try-with-resources). */
    public static Deferred open() {
        Deferred scope = CURRENT.get();
        if (scope == null) {
            scope = new Deferred();
            CURRENT.set(scope);
        }
        scope.depth++;
        return scope;
    }

    /** Puts {@code task} off until this thread's scope flushes; false, and nothing done, when it has no scope. */
    public static boolean defer(Runnable task) {
        Deferred scope = CURRENT.get();
        if (scope == null) {
            return false;
        }
        scope.pending.add(task);
        return true;
    }

    /**
     * Runs what was put off, in order; a failing task is logged and does not stop the others. Called again by a task
     * being flushed (a joined scope), it does nothing: the flush under way runs what that task puts off.
     */
    public void flush() {
        if (flushing) {
            return;
        }
        flushing = true;
        try {
            // A task may put off more work: the loop reads the list's size each time.
            for (int i = 0; i < pending.size(); i++) {
                try {
                    pending.get(i).run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "NOVA-2015 work put off to the end of a batch failed", e);
                }
            }
        } finally {
            pending.clear();
            flushing = false;
        }
    }

    /** Flushes; the outermost close also ends the scope. */
    @Override
    public void close() {
        if (depth == 1) {
            try {
                flush();
            } finally {
                depth = 0;
                CURRENT.remove();
            }
        } else {
            depth--;
        }
    }
}
