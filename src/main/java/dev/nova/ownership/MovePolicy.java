package dev.nova.ownership;

import dev.nova.NovaException;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import java.util.List;

/**
 * The rules of moving clients by hand, as pure functions: a takeover moves one client, or every client, of a node to
 * the node that was asked; a transfer moves a connected client to a chosen node, make-before-break. A request that
 * breaks a rule is a {@link NovaException} saying which, and changes nothing.
 */
final class MovePolicy {

    private MovePolicy() {}

    /**
     * The clients a takeover from {@code source} moves to this node: {@code client} alone, or (when null) every
     * client {@code source} owns that may move.
     */
    static List<ClientRecord> takeover(String client, String source, List<ClientRecord> all, Members members) {
        boolean known = members.view().contains(source) || all.stream().anyMatch(r -> source.equals(r.owner()));
        if (!known) {
            throw NovaException.notFound("node '" + source + "' is neither a member nor the owner of any client");
        }
        if (source.equals(members.self().name())) {
            throw NovaException.conflict("node '" + source + "' is this node: nothing to take over");
        }
        if (client == null) {
            return all.stream()
                    .filter(r -> source.equals(r.owner()) && r.spec().clusterEnabled())
                    .toList();
        }
        ClientRecord record = all.stream()
                .filter(r -> r.name().equals(client))
                .findFirst()
                .orElseThrow(() -> NovaException.notFound("client '" + client + "' does not exist"));
        if (!source.equals(record.owner())) {
            throw NovaException.conflict(
                    "client '" + client + "' is owned by " + record.owner() + ", not by " + source);
        }
        if (!record.spec().clusterEnabled()) {
            throw NovaException.conflict("client '" + client + "' is pinned to its node (cluster-enabled=false)");
        }
        return List.of(record);
    }

    /** The record taken over by this node at the next epoch, or unchanged when {@code source} no longer owns it. */
    static ClientRecord takenOver(ClientRecord current, String source, Members members, long now) {
        if (!source.equals(current.owner())) {
            return current;
        }
        return current.assign(members.self().name(), members.self().incarnation(), ClientState.CONNECTING, now)
                .failoverEnded();
    }

    /** Checks that the client may be transferred to {@code target} now. */
    static void checkTransfer(ClientRecord record, String target, Members members) {
        String name = record.name();
        if (!members.alive(target)) {
            throw NovaException.notFound("node '" + target + "' is not a member of the cluster");
        }
        if (target.equals(record.owner())) {
            throw NovaException.conflict("client '" + name + "' is already owned by " + target);
        }
        if (members.draining(target)) {
            throw NovaException.conflict("node '" + target + "' is being drained: no client goes to it");
        }
        if (!record.spec().clusterEnabled()) {
            throw NovaException.conflict("client '" + name + "' is pinned to its node (cluster-enabled=false)");
        }
        if (record.transferTo() != null || record.failingOver()) {
            throw NovaException.conflict("client '" + name + "' is already moving ("
                    + (record.failingOver() ? "failing over" : "transferring to " + record.transferTo()) + ")");
        }
        if (record.stopped() || record.state() != ClientState.CONNECTED || !members.ownerAlive(record)) {
            throw NovaException.conflict("client '" + name + "' is " + record.state()
                    + "; only a CONNECTED client with a live owner can be transferred");
        }
    }

    /** The record marked as moving to {@code target}, unless it changed since it was checked at {@code epoch}. */
    static ClientRecord transferStarted(ClientRecord current, long epoch, String target, long now) {
        return current.epoch() == epoch && current.transferTo() == null
                ? current.transferTo(target).withState(ClientState.TRANSFERRING, now)
                : current;
    }
}
