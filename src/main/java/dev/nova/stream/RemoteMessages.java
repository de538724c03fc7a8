package dev.nova.stream;

/** Where the cluster bus hands market data that another node's client received. */
public interface RemoteMessages {

    /** Delivers to this node's SSE consumers only (CDI observers run on the owner node). Never blocks. */
    void deliverRemote(MarketMessage message);
}
