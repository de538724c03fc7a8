package dev.nova.boot;

import dev.nova.cluster.MembershipChanged;
import dev.nova.cluster.NodeDirectory;
import dev.nova.ownership.FailoverCoordinator;
import dev.nova.ownership.Reconciler;
import dev.nova.stream.StreamHub;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The one observer of cluster views: tells the features of a new view, one view at a time (they are fired in order
 * on the cluster's view lane), in this order: the node directory (members' records and join/leave events), stream
 * interest (a departed member's interest goes, a merge states this node's again), fencing (a side without quorum lets
 * go of its clients; after a merge, starts wait until the records have settled), then automatic failover (the
 * coordinator reassigns the clients of members that are gone).
 */
@ApplicationScoped
public class MembershipReactions {

    private final NodeDirectory nodes;
    private final StreamHub streams;
    private final Reconciler reconciler;
    private final FailoverCoordinator failover;

    @Inject
    public MembershipReactions(
            NodeDirectory nodes, StreamHub streams, Reconciler reconciler, FailoverCoordinator failover) {
        this.nodes = nodes;
        this.streams = streams;
        this.reconciler = reconciler;
        this.failover = failover;
    }

    protected MembershipReactions() {
        this(null, null, null, null);
    }

    void onView(@Observes MembershipChanged change) {
        nodes.viewChanged(change);
        streams.viewChanged(change);
        reconciler.viewChanged(change);
        failover.viewChanged(change);
    }
}
