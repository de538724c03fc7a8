package dev.nova.model;

import org.infinispan.protostream.annotations.Proto;

/**
 * A client as the cluster records it: its spec; the node that owns it (a name plus that node's incarnation, so a
 * node restarted under the same name is not mistaken for the old one) and the epoch of that ownership, which grows
 * on every change of owner so a node acting on a stale epoch is fenced off; the state its owner reports; the
 * operator's intent (stop, restart, transfer), which any node may write and the owner carries out; and the progress
 * of a failover.
 *
 * @param owner the owning node's name, or null when unassigned
 * @param ownerIncarnation the owning node's start time (its incarnation), 0 when unassigned
 * @param stateChangedAt epoch milliseconds of the last state change
 * @param stopped the operator stopped the client: its owner keeps it closed
 * @param restarts how many times an operator asked for a restart; the owner restarts when it sees it grow
 * @param failoverAttempts attempts made in the current failover (0 when none is running)
 * @param failoverSince epoch milliseconds when the current failover began (the owner was lost), 0 when none
 * @param transferTo the node a make-before-break transfer is moving the client to, or null
 * @param intentVersion grows with every operator stop or restart: after a partition heals, the intent with the
 *     highest version is kept whichever side's ownership wins the merge
 */
@Proto
public record ClientRecord(
        ClientSpec spec,
        String owner,
        long ownerIncarnation,
        long epoch,
        ClientState state,
        long createdAt,
        long stateChangedAt,
        boolean stopped,
        long restarts,
        int failoverAttempts,
        long failoverSince,
        String transferTo,
        long intentVersion) {

    /** A new client owned by a node at epoch 1. */
    public static ClientRecord created(ClientSpec spec, String owner, long ownerIncarnation, long now) {
        return new ClientRecord(
                spec, owner, ownerIncarnation, 1, ClientState.CONNECTING, now, now, false, 0, 0, 0, null, 0);
    }

    public String name() {
        return spec.name();
    }

    /** Whether the given node incarnation owns this client. */
    public boolean ownedBy(String node, long incarnation) {
        return node.equals(owner) && ownerIncarnation == incarnation;
    }

    public boolean failingOver() {
        return failoverSince > 0;
    }

    /** The same record with its declaration's secret sealed again (a rotation of the cluster secret). */
    public ClientRecord withSpec(ClientSpec resealed) {
        return new ClientRecord(
                resealed,
                owner,
                ownerIncarnation,
                epoch,
                state,
                createdAt,
                stateChangedAt,
                stopped,
                restarts,
                failoverAttempts,
                failoverSince,
                transferTo,
                intentVersion);
    }

    public ClientRecord withState(ClientState newState, long now) {
        return new ClientRecord(
                spec,
                owner,
                ownerIncarnation,
                epoch,
                newState,
                createdAt,
                now,
                stopped,
                restarts,
                failoverAttempts,
                failoverSince,
                transferTo,
                intentVersion);
    }

    /** The operator's stop. */
    public ClientRecord stop() {
        return new ClientRecord(
                spec,
                owner,
                ownerIncarnation,
                epoch,
                state,
                createdAt,
                stateChangedAt,
                true,
                restarts,
                failoverAttempts,
                failoverSince,
                transferTo,
                intentVersion + 1);
    }

    /** The operator's restart: no longer stopped, one more restart asked for. */
    public ClientRecord restart() {
        return new ClientRecord(
                spec,
                owner,
                ownerIncarnation,
                epoch,
                state,
                createdAt,
                stateChangedAt,
                false,
                restarts + 1,
                failoverAttempts,
                failoverSince,
                transferTo,
                intentVersion + 1);
    }

    /** A new owner at the next epoch; ends any transfer. */
    public ClientRecord assign(String node, long incarnation, ClientState newState, long now) {
        return new ClientRecord(
                spec,
                node,
                incarnation,
                epoch + 1,
                newState,
                createdAt,
                now,
                stopped,
                restarts,
                failoverAttempts,
                failoverSince,
                null,
                intentVersion);
    }

    /** A failover attempt begins (the first one records when the failover began). */
    public ClientRecord failoverAttempt(long since) {
        return new ClientRecord(
                spec,
                owner,
                ownerIncarnation,
                epoch,
                state,
                createdAt,
                stateChangedAt,
                stopped,
                restarts,
                failoverAttempts + 1,
                failoverSince > 0 ? failoverSince : since,
                transferTo,
                intentVersion);
    }

    /** The failover is over (completed or given up). */
    public ClientRecord failoverEnded() {
        return new ClientRecord(
                spec,
                owner,
                ownerIncarnation,
                epoch,
                state,
                createdAt,
                stateChangedAt,
                stopped,
                restarts,
                0,
                0,
                transferTo,
                intentVersion);
    }

    /** No owner: nobody runs it (failover gave up); the state says why. */
    public ClientRecord unassign(ClientState newState, long now) {
        return new ClientRecord(
                spec, null, 0, epoch + 1, newState, createdAt, now, stopped, restarts, 0, 0, null, intentVersion);
    }

    /** A transfer towards {@code target} begins, or ends (null). */
    public ClientRecord transferTo(String target) {
        return new ClientRecord(
                spec,
                owner,
                ownerIncarnation,
                epoch,
                state,
                createdAt,
                stateChangedAt,
                stopped,
                restarts,
                failoverAttempts,
                failoverSince,
                target,
                intentVersion);
    }

    /** This record with the operator's intent (stop, restarts and their version) of {@code other}. */
    public ClientRecord withIntentOf(ClientRecord other) {
        return new ClientRecord(
                spec,
                owner,
                ownerIncarnation,
                epoch,
                state,
                createdAt,
                stateChangedAt,
                other.stopped,
                other.restarts,
                failoverAttempts,
                failoverSince,
                transferTo,
                other.intentVersion);
    }
}
