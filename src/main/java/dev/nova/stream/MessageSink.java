package dev.nova.stream;

/**
 * Where exchange sessions hand market data. Called on the WebSocket reading thread for every message:
 * implementations must not block and must not touch CDI or JAX-RS on that thread.
 */
public interface MessageSink {

    void publish(MarketMessage message);

    /**
     * A sink that does the same work without indirection. Called once on a CDI client proxy, an application-scoped
     * bean returns its own publish, which the reading thread can then call without the proxy resolving the bean's
     * context on every message (measured on the ingest path).
     */
    default MessageSink target() {
        return this;
    }
}
