package dev.nova.client;

import org.infinispan.protostream.annotations.Proto;

/**
 * A client as the cluster records it: its spec, the node that owns it and the epoch of that ownership (it grows
 * on every change of owner, so a node acting on a stale epoch can be fenced off), the state its owner reports, and
 * the operator's intent, which any node may write and the owner carries out.
 *
 * @param owner the owning node's name, or null when unassigned
 * @param stateChangedAt epoch milliseconds of the last state change
 * @param stopped the operator stopped the client: its owner keeps it closed
 * @param restarts how many times an operator asked for a restart; the owner restarts when it sees it grow
 */
@Proto
public record ClientRecord(
        ClientSpec spec,
        String owner,
        long epoch,
        ClientState state,
        long createdAt,
        long stateChangedAt,
        boolean stopped,
        long restarts) {

    /** A new client owned by {@code owner} at epoch 1. */
    public static ClientRecord created(ClientSpec spec, String owner, long now) {
        return new ClientRecord(spec, owner, 1, ClientState.CONNECTING, now, now, false, 0);
    }

    public String name() {
        return spec.name();
    }

    public ClientRecord withState(ClientState newState, long now) {
        return new ClientRecord(spec, owner, epoch, newState, createdAt, now, stopped, restarts);
    }

    /** The operator's stop. */
    public ClientRecord stop() {
        return new ClientRecord(spec, owner, epoch, state, createdAt, stateChangedAt, true, restarts);
    }

    /** The operator's restart: no longer stopped, one more restart asked for. */
    public ClientRecord restart() {
        return new ClientRecord(spec, owner, epoch, state, createdAt, stateChangedAt, false, restarts + 1);
    }
}
