package dev.nova.boot;

import dev.nova.cluster.DoubtsNarrowed;
import dev.nova.cluster.JoinCheck;
import dev.nova.cluster.Leases;
import dev.nova.cluster.MemberGone;
import dev.nova.cluster.MembershipChanged;
import dev.nova.cluster.NodeDirectory;
import dev.nova.cluster.RecordsSettled;
import dev.nova.cluster.Settling;
import dev.nova.ownership.FailoverCoordinator;
import dev.nova.ownership.Reconciler;
import dev.nova.stream.StreamHub;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one observer of cluster views: tells the features of a new view, one view at a time (they are fired in order
 * on the cluster's view lane), in this order: the lease first (members that left start their fence wait before
 * failover looks at them), settling (after a merge, waits until the caches are the cluster's again and then fires
 * {@link RecordsSettled}), fencing (a side without quorum lets go of its clients; after a merge, starts wait until
 * the records have settled), then the node directory (members' records, join and leave events), stream interest (a
 * departed member's interest goes; once a merge has settled this node states its own again), and automatic failover
 * (the coordinator reassigns the clients of members that are gone), and last the join check (after a join, the
 * coordinator compares the records' replicas, {@link JoinCheck}). Each is told even if one before it failed.
 */
@ApplicationScoped
public class MembershipReactions {

    private static final Logger LOG = Logger.getLogger(MembershipReactions.class.getName());

    private final Leases leases;
    private final Settling settling;
    private final NodeDirectory nodes;
    private final StreamHub streams;
    private final Reconciler reconciler;
    private final FailoverCoordinator failover;
    private final JoinCheck joins;

    @Inject
    public MembershipReactions(
            Leases leases,
            Settling settling,
            NodeDirectory nodes,
            StreamHub streams,
            Reconciler reconciler,
            FailoverCoordinator failover,
            JoinCheck joins) {
        this.joins = joins;
        this.leases = leases;
        this.settling = settling;
        this.nodes = nodes;
        this.streams = streams;
        this.reconciler = reconciler;
        this.failover = failover;
    }

    protected MembershipReactions() {
        this(null, null, null, null, null, null, null);
    }

    void onView(@Observes MembershipChanged change) {
        react("the lease", () -> leases.viewChanged(change));
        settles(change);
        react("fencing", () -> reconciler.viewChanged(change));
        react("the node directory", () -> nodes.viewChanged(change));
        react("stream interest", () -> streams.viewChanged(change));
        react("failover", () -> failover.viewChanged(change));
        react("the join check", () -> joins.viewChanged(change));
    }

    /**
     * After a merge, once the records are the cluster's again: fencing sweeps what the merge brought back and starts
     * clients again, stream interest states this node's again, failover decides again.
     */
    void onSettled(@Observes RecordsSettled settled) {
        react("fencing", () -> reconciler.recordsSettled(settled));
        if (settled.generation() == settling.generation()) {
            react("stream interest", () -> streams.recordsSettled(settled));
        }
        react("failover", () -> failover.recordsSettled(settled));
    }

    /** While a merge settles, clients whose records are not in doubt may be started and failed over already. */
    void onNarrowed(@Observes DoubtsNarrowed narrowed) {
        if (narrowed.generation() == settling.generation()) {
            react("fencing", reconciler::doubtsNarrowed);
            react("failover", failover::doubtsNarrowed);
        }
    }

    /** A departed member is gone for sure: failover need not wait for the next tick to see its clients free. */
    void onGone(@Observes MemberGone gone) {
        react("failover", () -> failover.memberGone(gone));
    }

    /**
     * Starts the settling this view calls for, if any. Should that fail, the cluster runtime ends the settling past its
     * patience (NOVA-1024).
     */
    private void settles(MembershipChanged change) {
        react("settling", () -> settling.viewChanged(change));
    }

    private static void react(String feature, Runnable reaction) {
        try {
            reaction.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "NOVA-1007 " + feature + " failed to take a new view into account", e);
        }
    }
}
