package dev.nova.stream;

/**
 * Where exchange sessions hand market data. Called for every message on the thread that handles a session's frames
 * (its frame lane, which the WebSocket reading thread waits for when it falls behind): implementations must not block
 * and must not touch CDI or JAX-RS on that thread.
 */
public interface MessageSink {

    void publish(MarketMessage message);

    /**
     * A sink that does the same work without indirection. Called once on a CDI client proxy, an application-scoped
     * bean returns its own publish, which the frame-handling thread can then call without the proxy resolving the bean's
     * context on every message (measured on the ingest path).
     */
    default MessageSink target() {
        return this;
    }
}
