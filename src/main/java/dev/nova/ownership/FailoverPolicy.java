package dev.nova.ownership;

import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The coordinator's rules for clients whose owner is gone, as a pure function of a client's record, the other
 * records, the members and the failover settings. Only the coordinator of a side that holds quorum decides. A client
 * whose owner left the view (or came back as a new incarnation) goes to the next node by the placement rule, at
 * once ({@code immediate}) or once the owner has been gone {@code nova.failover.delay} ({@code delayed}); an attempt
 * that does not connect within {@code attempt-timeout} moves on to another node; after {@code max-attempts} the
 * client is {@code FAILED} and unassigned. An owner lost without a confirmed death (a cut link, a hang) is waited for
 * until it must have paused itself (its lease has run out, see {@code Leases}). Pinned clients ({@code cluster-enabled=false}) never move. A transfer
 * whose target is gone, or that has gone on far longer than a transfer may take, is ended: the owner keeps the
 * client.
 */
final class FailoverPolicy {

    /**
     * How much longer than {@code transfer-timeout} a transfer may stay open, from when the coordinator first saw it,
     * before the coordinator ends it. A live target ends its own transfer within its timeout plus the handover call
     * (3.5 s at most): this leaves it ample room, so that the coordinator only ends transfers nobody is carrying out.
     */
    static final Duration TRANSFER_GRACE = Duration.ofSeconds(15);

    private FailoverPolicy() {}

    /** What the coordinator does about one client. */
    sealed interface Decision {}

    /** Nothing: the owner is alive (or the client has none, or is pinned). */
    record Nothing() implements Decision {}

    /** The owner is gone, but the client is not moved yet (delayed strategy, stopped, or failover switched off). */
    record Waiting() implements Decision {}

    /**
     * Give the client to {@code target} at the next epoch.
     *
     * @param since when the failover began: the first attempt records it
     * @param first whether this is the failover's first attempt, which ends the non-persistent subscriptions (they
     *     die with the owner that ran them)
     * @param why what an operator reads in the {@code failover.started} event
     */
    record Reassign(String target, long incarnation, long since, boolean first, String why) implements Decision {}

    /** The attempts are spent: the client is FAILED and unassigned until an operator restarts it. */
    record GiveUp(long since, String why) implements Decision {}

    /** No live node can run the client now; asked again on the next pass. */
    record NoTarget(String why) implements Decision {}

    /** End the client's transfer: the owner keeps the client. */
    record EndTransfer(String why) implements Decision {}

    /** Whether this node decides: the coordinator of a clustered side that holds quorum. */
    static boolean decides(Members members) {
        return members.clustered() && members.coordinator() && members.quorum();
    }

    /** Whether the client has lost its owner: it has one, may move, and that owner is no longer alive. */
    static boolean ownerLost(ClientRecord record, Members members) {
        return record.spec().clusterEnabled() && record.owner() != null && !members.ownerAlive(record);
    }

    /**
     * When this coordinator first saw what a decision waits on, by its own clock: the client's owner lost, and its
     * transfer open ({@code now} for what it does not see).
     */
    record Seen(long ownerLost, long transferOpen) {

        static Seen now(long now) {
            return new Seen(now, now);
        }
    }

    /** @param all every client record, for placement by load */
    static Decision review(
            ClientRecord record,
            List<ClientRecord> all,
            Members members,
            Placement placement,
            FailoverSettings settings,
            Seen seen,
            long now) {
        long lostAt = seen.ownerLost();
        if (!record.spec().clusterEnabled() || record.owner() == null) {
            return new Nothing();
        }
        if (ownerLost(record, members)) {
            if (!settings.automatic() || record.stopped() || members.unfenced(record.owner())) {
                return new Waiting();
            }
            if (!record.failingOver()
                    && settings.delayed()
                    && now - lostAt < settings.delay().toMillis()) {
                return new Waiting();
            }
            return attempt(record, all, members, placement, settings, lostAt, "owner " + record.owner() + " is gone");
        }
        if (record.transferTo() != null) {
            if (!members.alive(record.transferTo())) {
                return new EndTransfer("the transfer target " + record.transferTo() + " left the cluster");
            }
            long open = now - seen.transferOpen();
            if (open > settings.transferTimeout().plus(TRANSFER_GRACE).toMillis()) {
                return new EndTransfer("the transfer to " + record.transferTo() + " has been open for " + open
                        + " ms, longer than nova.failover.transfer-timeout allows");
            }
        }
        if (record.failingOver()
                && record.state() != ClientState.CONNECTED
                && now - record.stateChangedAt() > settings.attemptTimeout().toMillis()) {
            return attempt(
                    record,
                    all,
                    members,
                    placement,
                    settings,
                    record.failoverSince(),
                    "attempt " + record.failoverAttempts() + " on " + record.owner() + " did not connect within "
                            + settings.attemptTimeout().toMillis() + " ms");
        }
        return new Nothing();
    }

    /** Another node at the next epoch, or giving up when the attempts are spent. */
    private static Decision attempt(
            ClientRecord record,
            List<ClientRecord> all,
            Members members,
            Placement placement,
            FailoverSettings settings,
            long since,
            String why) {
        if (record.failoverAttempts() >= settings.maxAttempts()) {
            return new GiveUp(since, "gave up after " + record.failoverAttempts() + " attempt(s): " + why);
        }
        Set<String> exclude = new HashSet<>();
        exclude.add(record.owner());
        Optional<String> target = members.place(placement, record.spec(), all, exclude);
        if (target.isEmpty()) {
            // The only live node is the one that just failed to connect it: try it again at a new epoch.
            target = members.place(placement, record.spec(), all, Set.of());
        }
        Optional<Long> incarnation = target.flatMap(members::incarnationOf);
        if (incarnation.isEmpty()) {
            return new NoTarget(why);
        }
        return new Reassign(target.get(), incarnation.get(), since, !record.failingOver(), why);
    }
}
