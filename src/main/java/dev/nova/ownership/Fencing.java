package dev.nova.ownership;

import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import dev.nova.model.NodeIdentity;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules by which a node's sessions follow the registry, as pure functions of a client's record, what this node
 * runs of it and whether its side holds quorum. A node runs a client only while the record names this node
 * incarnation as owner and its side holds quorum, and only the session started for the record's epoch: seeing
 * anything else, it lets go at once (fencing). While it runs the client it carries out the operator's intent (stop,
 * restart) and holds exactly the channels the registry lists.
 */
final class Fencing {

    private Fencing() {}

    /** What this node runs of a client: the epoch its session was started for, its state, its channels. */
    record Running(long epoch, ClientState state, Set<String> channels) {}

    /** What to do next for a client this node may run. */
    sealed interface Step {}

    /** Nothing to do (stopped and recorded so, or a merge is settling). */
    record Idle() implements Step {}

    /** Open sessions at the record's epoch with these channels. */
    record Start(Set<String> channels) implements Step {}

    /** Stopped on purpose and not running: record the state. */
    record RecordStopped() implements Step {}

    /**
     * Make the running client match the registry.
     *
     * @param recordState the state to write to the record because the record no longer shows the session's, or null
     */
    record Follow(
            boolean stop, boolean restart, List<String> subscribe, List<String> unsubscribe, ClientState recordState)
            implements Step {

        int repairs() {
            return (stop || restart ? 1 : 0) + subscribe.size() + unsubscribe.size();
        }
    }

    /** Whether this node may run the client: the record names this incarnation and this side holds quorum. */
    static boolean mayRun(ClientRecord record, NodeIdentity self, boolean quorum) {
        return record != null && record.ownedBy(self.name(), self.incarnation()) && quorum;
    }

    /** Whether this node may open (or keep opening) sessions started for {@code epoch}. */
    static boolean mayConnect(ClientRecord record, long epoch, NodeIdentity self, boolean quorum) {
        return mayRun(record, self, quorum) && record.epoch() == epoch;
    }

    /** Why this node must close the session it runs for {@code runningEpoch}, or empty when it may keep it. */
    static Optional<String> mustRelease(ClientRecord record, long runningEpoch, NodeIdentity self, boolean quorum) {
        if (record == null) {
            return Optional.of("deleted");
        }
        if (!record.ownedBy(self.name(), self.incarnation())) {
            return Optional.of("owner " + record.owner() + " epoch " + record.epoch());
        }
        if (!quorum) {
            return Optional.of("this side holds no quorum");
        }
        if (record.epoch() != runningEpoch) {
            return Optional.of("epoch " + runningEpoch + " is over, the record is at " + record.epoch());
        }
        return Optional.empty();
    }

    /**
     * The next step for a client this node may run ({@link #mayRun}).
     *
     * @param running what this node runs of it, or null
     * @param desired the channels the registry lists for it
     * @param startsAllowed false while a merge is settling: nothing new is started
     * @param appliedRestarts the restart count the running client was last started or restarted for, or null
     */
    static Step next(
            ClientRecord record, Running running, Set<String> desired, boolean startsAllowed, Long appliedRestarts) {
        if (running == null) {
            if (record.stopped()) {
                return record.state() == ClientState.STOPPED ? new Idle() : new RecordStopped();
            }
            return startsAllowed ? new Start(desired) : new Idle();
        }
        ClientState recordState =
                !record.failingOver() && record.transferTo() == null && record.state() != running.state()
                        ? running.state()
                        : null;
        long applied = appliedRestarts != null ? appliedRestarts : record.restarts();
        boolean stop = record.stopped() && running.state() != ClientState.STOPPED;
        boolean restart = !record.stopped() && (record.restarts() > applied || running.state() == ClientState.STOPPED);
        List<String> subscribe =
                desired.stream().filter(c -> !running.channels().contains(c)).toList();
        List<String> unsubscribe =
                running.channels().stream().filter(c -> !desired.contains(c)).toList();
        return new Follow(stop, restart, subscribe, unsubscribe, recordState);
    }

    /**
     * The record after this node's session of the client at {@code epoch} reported {@code state}: unchanged unless this
     * node owns it at that epoch (a fenced node must not write, nor a session this node ran at an earlier epoch). While a failover is under way the client shows {@code FAILING_OVER} until its
     * new owner is connected (or gives up), which ends the failover; while a transfer is under way it shows
     * {@code TRANSFERRING} unless the session failed.
     */
    static ClientRecord reported(ClientRecord current, NodeIdentity self, long epoch, ClientState state, long now) {
        if (!current.ownedBy(self.name(), self.incarnation()) || current.epoch() != epoch) {
            return current;
        }
        if (current.failingOver()) {
            if (state == ClientState.CONNECTED || state == ClientState.FAILED || state == ClientState.STOPPED) {
                return current.withState(state, now).failoverEnded();
            }
            return current;
        }
        if (current.transferTo() != null && state != ClientState.FAILED) {
            return current;
        }
        return current.state() == state ? current : current.withState(state, now);
    }

    /** Whether a report turned a failover into a completed one: the new owner is connected. */
    static boolean completedFailover(ClientRecord before, ClientRecord after, ClientState state) {
        return before != null
                && before.failingOver()
                && after != null
                && !after.failingOver()
                && state == ClientState.CONNECTED;
    }
}
