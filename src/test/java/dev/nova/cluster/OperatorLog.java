package dev.nova.cluster;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The warnings an operator would see under the cluster runtime's logger (the NOVA-10xx messages), captured for a test:
 * the test logging configuration silences dev.nova, so this lets warnings through while it is open.
 */
final class OperatorLog extends Handler implements AutoCloseable {

    private final Logger log = Logger.getLogger(ClusterRuntime.class.getName());
    private final Queue<String> messages = new ConcurrentLinkedQueue<>();
    private final Level level;

    OperatorLog() {
        level = log.getLevel();
        log.setLevel(Level.WARNING);
        log.addHandler(this);
    }

    /** The messages logged since this was opened. */
    Queue<String> messages() {
        return messages;
    }

    @Override
    public void publish(LogRecord record) {
        messages.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        log.removeHandler(this);
        log.setLevel(level);
    }
}
