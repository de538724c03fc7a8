package dev.nova.ownership;

import dev.nova.cluster.NodeRecord;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.NodeIdentity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster as ownership decisions see it at one instant: this node, the members in view order (oldest first),
 * their node records, whether this side holds quorum and whether this node is the coordinator. Decisions are
 * functions of it and of the client records, so they are tested without a cluster.
 *
 * <p>A node incarnation is alive while its name is in the view and its record carries that incarnation (its start
 * time): a node restarted under the same name is a different owner than the one before it.
 *
 * @param clustered false when this node runs alone ({@code nova.cluster.enabled=false})
 * @param view the members' names, oldest first
 * @param nodes the members' records by name (a member without one is still starting)
 * @param unfenced members gone from the view that may still be running their clients (the cluster lease)
 */
public record Members(
        NodeIdentity self,
        boolean clustered,
        List<String> view,
        Map<String, NodeRecord> nodes,
        boolean quorum,
        boolean coordinator,
        Set<String> unfenced) {

    public Members {
        view = List.copyOf(view);
        nodes = Map.copyOf(nodes);
        unfenced = Set.copyOf(unfenced);
    }

    /** Members with no one gone unfenced. */
    public Members(
            NodeIdentity self,
            boolean clustered,
            List<String> view,
            Map<String, NodeRecord> nodes,
            boolean quorum,
            boolean coordinator) {
        this(self, clustered, view, nodes, quorum, coordinator, Set.of());
    }

    /**
     * Whether a member that left the view may still be running its clients: lost without a confirmed death, less
     * than a lease (and its margin) since it was last heard from. Its clients are not taken over yet.
     */
    public boolean unfenced(String node) {
        return unfenced.contains(node);
    }

    /** Whether this node incarnation owns the client. */
    public boolean mine(ClientRecord record) {
        return record.ownedBy(self.name(), self.incarnation());
    }

    /** The incarnation of a live member: this node's own, or the one its record carries; empty when it is gone. */
    public Optional<Long> incarnationOf(String node) {
        if (node.equals(self.name())) {
            return Optional.of(self.incarnation());
        }
        if (!view.contains(node)) {
            return Optional.empty();
        }
        return Optional.ofNullable(nodes.get(node)).map(NodeRecord::startedAt);
    }

    /** Whether a node is a live, registered member. */
    public boolean alive(String node) {
        return incarnationOf(node).isPresent();
    }

    /** Whether the owner the record names is still the node incarnation it was when it was given the client. */
    public boolean ownerAlive(ClientRecord record) {
        return record.owner() != null
                && incarnationOf(record.owner())
                        .filter(i -> i == record.ownerIncarnation())
                        .isPresent();
    }

    /** Whether a member is being drained: no client goes to it ({@link NodeRecord#draining()}). */
    public boolean draining(String node) {
        NodeRecord record = nodes.get(node);
        return record != null && record.draining();
    }

    /**
     * Live, registered members other than {@code exclude} and not being drained, with their regions and how many
     * clients each owns.
     */
    public List<Placement.Candidate> candidates(List<ClientRecord> clients, Set<String> exclude) {
        Map<String, Integer> load = new HashMap<>();
        for (ClientRecord client : clients) {
            if (client.owner() != null) {
                load.merge(client.owner(), 1, Integer::sum);
            }
        }
        List<Placement.Candidate> candidates = new ArrayList<>();
        for (String member : view) {
            String region = member.equals(self.name())
                    ? self.region()
                    : Optional.ofNullable(nodes.get(member))
                            .map(NodeRecord::region)
                            .orElse(null);
            if (!exclude.contains(member) && region != null && !draining(member)) {
                candidates.add(new Placement.Candidate(member, region, load.getOrDefault(member, 0)));
            }
        }
        return candidates;
    }

    /**
     * Where the client should run, among live members other than {@code exclude}: this node when clustering is off
     * or the client is pinned ({@code cluster-enabled=false}).
     */
    public Optional<String> place(
            Placement placement, ClientSpec spec, List<ClientRecord> clients, Set<String> exclude) {
        if (!clustered || !spec.clusterEnabled()) {
            return Optional.of(self.name());
        }
        return placement.choose(spec, candidates(clients, exclude));
    }
}
