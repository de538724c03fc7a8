package dev.nova.ownership;

import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.Leases;
import dev.nova.cluster.NodeRecord;
import dev.nova.cluster.Settling;
import dev.nova.cluster.ViewHistory;
import dev.nova.model.ClientRecord;
import dev.nova.model.NodeIdentity;
import dev.nova.model.Subscription;
import dev.nova.subscription.SubscriptionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads what ownership decisions need from the cluster: this node, and the {@link Members} at this instant. The
 * decisions themselves are pure functions elsewhere in this package ({@link Fencing}, {@link FailoverPolicy},
 * {@link MovePolicy}, {@link Placement}).
 */
@ApplicationScoped
public class Ownership {

    /** The record caches whose differing entries hold back only the clients they name (any other: every client). */
    private static final Set<String> PER_CLIENT = Set.of(ClientRegistry.CACHE, SubscriptionRegistry.CACHE);

    private final ClusterRuntime cluster;
    private final Leases leases;
    private final Placement placement;
    private final Settling settling;

    @Inject
    public Ownership(ClusterRuntime cluster, Leases leases, Placement placement, Settling settling) {
        this.cluster = cluster;
        this.leases = leases;
        this.placement = placement;
        this.settling = settling;
    }

    protected Ownership() {
        this(null, null, null, null);
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

    /**
     * Whether this side may act on one client's records (start it, decide its failover): {@link #settled()}, or, while
     * a merge still settles, the latest complete comparison of the replicas found the client's record and its
     * subscriptions the same on every member, and no node record or tombstone in doubt. So an entry that stays apart
     * (e.g. locked by a transaction a hung member never finished) holds back only its own client.
     */
    public boolean settled(String client) {
        ViewHistory.Snapshot view = cluster.view();
        if (view.settled()) {
            return true;
        }
        if (!view.quorum() || view.settling() == 0) {
            return false;
        }
        Optional<Settling.Doubts> doubts = settling.doubts(view.settling());
        return doubts.isPresent() && undoubted(doubts.get(), client);
    }

    static boolean undoubted(Settling.Doubts doubts, String client) {
        if (!PER_CLIENT.containsAll(doubts.differing().keySet())) {
            return false;
        }
        if (doubts.in(ClientRegistry.CACHE).containsKey(client)) {
            return false;
        }
        // A copy that is not a subscription cannot be placed: it holds back every client.
        return doubts.in(SubscriptionRegistry.CACHE).values().stream()
                .flatMap(List::stream)
                .allMatch(copy -> copy instanceof Subscription s && !s.client().equals(client));
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
