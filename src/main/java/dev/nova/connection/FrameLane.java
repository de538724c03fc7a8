package dev.nova.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands a session's inbound frames from the transport's reading thread to a task on another thread, which handles
 * them in arrival order. The reading thread then only reads (Tyrus' framing and UTF-8 decoding) while decoding,
 * sequencing and fan-out run beside it: on one busy connection the reading thread was the bottleneck with both
 * halves on it. A full lane blocks the reading thread until the handler catches up, which pushes back on the
 * exchange's socket exactly as handling the frames on the reading thread did; nothing is dropped. When the executor
 * refuses work (the application stopping), frames are handled on the reading thread as before.
 */
final class FrameLane {

    private static final Logger LOG = Logger.getLogger(FrameLane.class.getName());

    /** A frame and when it arrived (epoch ms). */
    private record Frame(String text, long receivedAt) {}

    /** What handles a frame, in order, on the lane's thread. */
    interface Handler {
        void onFrame(String text, long receivedAt);
    }

    /** Frames one batch takes from the queue. */
    private static final int BATCH = 256;

    /** Batches one task handles before it gives the thread back to the executor (other sessions share it). */
    private static final int ROUNDS_PER_TASK = 64;

    private final ArrayBlockingQueue<Frame> queue;
    private final Executor executor;
    private final Handler handler;
    private final AtomicBoolean scheduled = new AtomicBoolean();

    FrameLane(int capacity, Executor executor, Handler handler) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.executor = executor;
        this.handler = handler;
    }

    /** Called on the reading thread: queues the frame, waiting while the lane is full. */
    void offer(String text, long receivedAt) {
        Frame frame = new Frame(text, receivedAt);
        if (!queue.offer(frame)) {
            try {
                queue.put(frame);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }

    /** Frames waiting. */
    int backlog() {
        return queue.size();
    }

    private void schedule() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException stopping) {
            drain();
        }
    }

    private void drain() {
        List<Frame> batch = new ArrayList<>(BATCH);
        for (int round = 0; round < ROUNDS_PER_TASK; round++) {
            queue.drainTo(batch, BATCH);
            if (batch.isEmpty()) {
                break;
            }
            for (Frame frame : batch) {
                try {
                    handler.onFrame(frame.text(), frame.receivedAt());
                } catch (RuntimeException e) {
                    // The handler catches its own failures; this keeps the lane going should one slip through.
                    LOG.log(Level.WARNING, "NOVA-2013 handling a frame failed", e);
                }
            }
            batch.clear();
        }
        scheduled.set(false);
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }
}
