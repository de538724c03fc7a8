package dev.nova.stream;

/**
 * Where exchange sessions hand market data. Called on the WebSocket reading thread for every message:
 * implementations must not block and must not touch CDI or JAX-RS on that thread.
 */
public interface MessageSink {

    void publish(MarketMessage message);
}
