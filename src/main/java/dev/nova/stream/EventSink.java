package dev.nova.stream;

import java.util.concurrent.CompletionStage;

/**
 * Where an SSE stream's bytes go: the HTTP response of one consumer. Writes never block the caller; one write at
 * a time (the consumer's lane waits for each).
 */
public interface EventSink {

    /**
     * Writes complete SSE events (UTF-8); the stage completes once the bytes are handed to the network, or fails. The
     * array may be shared with other sinks: it is only read.
     */
    CompletionStage<Void> write(byte[] events);

    /** Whether the consumer went away or the stream was closed. */
    boolean isClosed();

    /** Ends the response; idempotent. */
    void close();
}
