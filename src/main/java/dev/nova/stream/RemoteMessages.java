package dev.nova.stream;

/** Where the cluster bus hands what other nodes publish: their clients' market data and their cluster events. */
public interface RemoteMessages {

    /** Delivers to this node's SSE consumers only (CDI observers run on the owner node). Never blocks. */
    void deliverRemote(MarketMessage message);

    /** Delivers a cluster event another node published to this node's event streams. */
    void deliverEvent(String type, String json);
}
