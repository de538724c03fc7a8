package dev.nova.connection;

import dev.nova.model.ClientState;

/** Told when a client's state changes; called on the client's control lane, a managed thread. */
public interface ConnectionListener {

    void stateChanged(String client, ClientState state, String detail);

    /**
     * Whether this node may still open sessions for the client at this epoch: asked before every (re)connect and
     * before a new session goes live, so a node that has just learned it lost the client (after a partition or a
     * hang) does not reconnect it while its release is on the way.
     */
    default boolean mayConnect(String client, long epoch) {
        return true;
    }
}
