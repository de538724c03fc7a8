package dev.nova.api;

import dev.nova.api.Dtos.ClientView;
import dev.nova.api.Dtos.CredentialsView;
import dev.nova.api.Dtos.SubscriptionView;
import dev.nova.client.ClientStats;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.NodeRecord;
import dev.nova.connection.ChannelStatus;
import dev.nova.connection.ConnectionStats;
import dev.nova.model.ClientRecord;
import dev.nova.model.NodeIdentity;
import dev.nova.model.Subscription;
import dev.nova.subscription.SubscriptionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds API views from records, adding what only the owner node knows (counters, channel standing). */
@ApplicationScoped
public class Views {

    private final ClientStats stats;
    private final SubscriptionRegistry subscriptions;
    private final NodeIdentity node;
    private final ClusterRuntime cluster;

    @Inject
    public Views(ClientStats stats, SubscriptionRegistry subscriptions, NodeIdentity node, ClusterRuntime cluster) {
        this.stats = stats;
        this.subscriptions = subscriptions;
        this.node = node;
        this.cluster = cluster;
    }

    protected Views() {
        this(null, null, null, null);
    }

    /** One client, its counters asked from its owner. */
    public ClientView client(ClientRecord record) {
        return client(record, stats.of(record.name()));
    }

    /** Every client, asking each node for its clients' counters once. */
    public List<ClientView> clients(List<ClientRecord> records) {
        Map<String, ConnectionStats> counters = stats.all();
        return records.stream()
                .map(record -> client(record, Optional.ofNullable(counters.get(record.name()))))
                .toList();
    }

    private ClientView client(ClientRecord record, Optional<ConnectionStats> stats) {
        Map<String, ChannelStatus> standing =
                stats.map(ConnectionStats::channels).orElse(Map.of());
        List<SubscriptionView> subs = subscriptions.byClient(record.name()).stream()
                .map(s -> subscription(s, record.owner(), standing))
                .toList();
        var spec = record.spec();
        return new ClientView(
                spec.name(),
                spec.platform().id(),
                spec.url(),
                record.owner(),
                record.epoch(),
                record.state().name(),
                regionOf(record.owner()),
                spec.regionAware(),
                spec.preferredRegion(),
                spec.clusterEnabled(),
                spec.credentials() == null
                        ? null
                        : new CredentialsView(spec.credentials().clientId()),
                subs,
                stats.map(ConnectionStats::messagesReceived).orElse(null),
                stats.map(ConnectionStats::lastMessageAt).filter(t -> t > 0).orElse(null),
                stats.map(ConnectionStats::gaps).orElse(null),
                stats.map(ConnectionStats::duplicates).orElse(null),
                stats.map(ConnectionStats::reconnects).orElse(null),
                stats.map(ConnectionStats::sessions).orElse(null),
                stats.map(ConnectionStats::lastError).orElse(null),
                record.createdAt(),
                record.stateChangedAt());
    }

    private String regionOf(String owner) {
        if (owner == null) {
            return null;
        }
        if (owner.equals(node.name())) {
            return node.region();
        }
        NodeRecord record = cluster.nodes().get(owner);
        return record == null ? null : record.region();
    }

    /** A subscription in a listing, with its owner and its standing at the exchange when known here. */
    public SubscriptionView subscription(Subscription s, String owner, Map<String, ChannelStatus> standing) {
        ChannelStatus status = standing.get(s.channel());
        return new SubscriptionView(
                s.id(),
                s.channel(),
                s.client(),
                s.persistent(),
                owner,
                status == null ? null : status.name(),
                s.createdAt(),
                cluster.settings().name(),
                s.platform());
    }

    /** A subscription of a bridged cluster: its owner and standing are that cluster's business. */
    public SubscriptionView bridged(Subscription s, String from) {
        return new SubscriptionView(
                s.id(), s.channel(), s.client(), s.persistent(), null, null, s.createdAt(), from, s.platform());
    }

    /** A subscription as just created. */
    public SubscriptionView created(Subscription s) {
        return new SubscriptionView(
                s.id(),
                s.channel(),
                s.client(),
                s.persistent(),
                null,
                null,
                s.createdAt(),
                cluster.settings().name(),
                s.platform());
    }
}
