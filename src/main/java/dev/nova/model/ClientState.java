package dev.nova.model;

import org.infinispan.protostream.annotations.Proto;

/** Where a client is in its life; the names are part of the REST contract. */
@Proto
public enum ClientState {
    /** No node runs it. */
    UNASSIGNED,
    /** Its owner is opening the first session. */
    CONNECTING,
    /** Every session is open, authenticated and subscribed. */
    CONNECTED,
    /** A session dropped and is being re-established with backoff. */
    RECONNECTING,
    /** Its owner was lost and another node is taking it over. */
    FAILING_OVER,
    /** A planned move to another node is in progress. */
    TRANSFERRING,
    /** Its owner is on the minority side of a partition. */
    PAUSED,
    /** Reconnect or failover attempts are exhausted; {@code restart} brings it back. */
    FAILED,
    /** Stopped on purpose. */
    STOPPED;

    /** Whether the client counts as healthy: connected, or on its way back within policy. */
    public boolean isLive() {
        return this == CONNECTED || this == CONNECTING || this == RECONNECTING || this == TRANSFERRING;
    }
}
