package dev.nova.connection;

import dev.nova.model.ClientState;

/**
 * Told when a client's state changes: in order for each client, on a managed thread of the report pool, never on the
 * client's lane (a report may wait on the registry without holding up the client's sessions).
 */
public interface ConnectionListener {

    /** The session of {@code client} this node runs at {@code epoch} reached {@code state}. */
    void stateChanged(String client, long epoch, ClientState state, String detail);

    /**
     * Whether this node may still open sessions for the client at this epoch: asked before every (re)connect and
     * before a new session goes live, so a node that has just learned it lost the client (after a partition or a
     * hang) does not reconnect it while its release is on the way.
     */
    default boolean mayConnect(String client, long epoch) {
        return true;
    }
}
