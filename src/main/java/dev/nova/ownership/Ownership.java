package dev.nova.ownership;

import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.Leases;
import dev.nova.cluster.NodeRecord;
import dev.nova.model.ClientRecord;
import dev.nova.model.NodeIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what ownership decisions need from the cluster: this node, and the {@link Members} at this instant. The
 * decisions themselves are pure functions elsewhere in this package ({@link Fencing}, {@link FailoverPolicy},
 * {@link MovePolicy}, {@link Placement}).
 */
@ApplicationScoped
public class Ownership {

    private final ClusterRuntime cluster;
    private final Leases leases;
    private final Placement placement;

    @Inject
    public Ownership(ClusterRuntime cluster, Leases leases, Placement placement) {
        this.cluster = cluster;
        this.leases = leases;
        this.placement = placement;
    }

    protected Ownership() {
        this(null, null, null);
    }

    /** This node as an owner. */
    public NodeIdentity self() {
        return cluster.identity();
    }

    /** Whether this node incarnation owns the client. */
    public boolean mine(ClientRecord record) {
        NodeIdentity self = cluster.identity();
        return record.ownedBy(self.name(), self.incarnation());
    }

    /** Whether this side of the cluster holds quorum. */
    public boolean quorum() {
        return cluster.view().quorum();
    }

    /**
     * Whether a quorum confirms this node at this moment (its lease, judged now): a node that just resumed from a
     * hang, or is cut off, may no longer hear the others and must not write to the registry (such a write waits for
     * answers that never come).
     */
    public boolean confirmed() {
        return leases.confirmedNow();
    }

    /**
     * Whether this side holds quorum and its records are settled (no merge or regained quorum still settling): only
     * then does it start clients and decide failovers.
     */
    public boolean settled() {
        return cluster.view().settled();
    }

    /** The members as they are now: the view, and the records of its members (read one by one, locally). */
    public Members members() {
        List<String> view = cluster.members();
        Map<String, NodeRecord> nodes = new HashMap<>();
        for (String member : view) {
            NodeRecord record = cluster.nodes().get(member);
            if (record != null) {
                nodes.put(member, record);
            }
        }
        return new Members(
                cluster.identity(),
                cluster.clustered(),
                view,
                nodes,
                cluster.view().quorum(),
                cluster.isCoordinator(),
                leases.unfenced());
    }

    public Placement placement() {
        return placement;
    }
}
