package dev.nova.failover;

import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.NodeRecord;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.NodeIdentity;
import dev.nova.routing.Placement;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is alive to own clients, and where a client should go. A node incarnation is alive while its name is in the
 * view and its {@code nodes} record carries that incarnation, so a node restarted under the same name is a
 * different owner than the one before it.
 */
@ApplicationScoped
public class Ownership {

    private final ClusterRuntime cluster;
    private final Placement placement;

    @Inject
    public Ownership(ClusterRuntime cluster, Placement placement) {
        this.cluster = cluster;
        this.placement = placement;
    }

    protected Ownership() {
        this(null, null);
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

    /** Whether the owner the record names is still the node incarnation it was when it was given the client. */
    public boolean ownerAlive(ClientRecord record) {
        if (record.owner() == null) {
            return false;
        }
        NodeIdentity self = cluster.identity();
        if (record.owner().equals(self.name())) {
            return record.ownerIncarnation() == self.incarnation();
        }
        if (!cluster.members().contains(record.owner())) {
            return false;
        }
        NodeRecord node = cluster.nodes().get(record.owner());
        return node != null && node.startedAt() == record.ownerIncarnation();
    }

    /** The incarnation of a live member, if it has registered. */
    public Optional<Long> incarnationOf(String node) {
        if (node.equals(cluster.identity().name())) {
            return Optional.of(cluster.identity().incarnation());
        }
        if (!cluster.members().contains(node)) {
            return Optional.empty();
        }
        return Optional.ofNullable(cluster.nodes().get(node)).map(NodeRecord::startedAt);
    }

    /** Live, registered members with their regions and how many clients each owns. */
    public List<Placement.Candidate> candidates(List<ClientRecord> clients, Set<String> exclude) {
        Map<String, Integer> load = new HashMap<>();
        for (ClientRecord client : clients) {
            if (client.owner() != null) {
                load.merge(client.owner(), 1, Integer::sum);
            }
        }
        List<Placement.Candidate> candidates = new ArrayList<>();
        for (String member : cluster.members()) {
            if (exclude.contains(member)) {
                continue;
            }
            String region = member.equals(cluster.identity().name())
                    ? cluster.identity().region()
                    : Optional.ofNullable(cluster.nodes().get(member))
                            .map(NodeRecord::region)
                            .orElse(null);
            if (region != null) {
                candidates.add(new Placement.Candidate(member, region, load.getOrDefault(member, 0)));
            }
        }
        return candidates;
    }

    /** Where the client should run, among live members other than {@code exclude}. */
    public Optional<String> place(ClientSpec spec, List<ClientRecord> clients, Set<String> exclude) {
        if (!cluster.clustered() || !spec.clusterEnabled()) {
            return Optional.of(cluster.identity().name());
        }
        return placement.choose(spec, candidates(clients, exclude));
    }
}
