package dev.nova.connection;

import dev.nova.client.ClientState;

/** Told when a client's state changes; called on the client's control lane, a managed thread. */
public interface ConnectionListener {

    void stateChanged(String client, ClientState state, String detail);
}
