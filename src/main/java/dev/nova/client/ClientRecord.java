package dev.nova.client;

import org.infinispan.protostream.annotations.Proto;

/**
 * A client as the cluster records it: its spec, the node that owns it and the epoch of that ownership, which grows
 * on every change of owner so that a node acting on a stale epoch can be fenced off.
 *
 * @param owner the owning node's name, or null when unassigned
 * @param stateChangedAt epoch milliseconds of the last state change
 */
@Proto
public record ClientRecord(
        ClientSpec spec, String owner, long epoch, ClientState state, long createdAt, long stateChangedAt) {

    public String name() {
        return spec.name();
    }

    public ClientRecord withState(ClientState newState, long now) {
        return new ClientRecord(spec, owner, epoch, newState, createdAt, now);
    }
}
