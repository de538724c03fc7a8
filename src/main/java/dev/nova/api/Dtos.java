package dev.nova.api;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of the admin API. Field names are a contract with operators' scripts. */
public final class Dtos {

    private Dtos() {}

    /** Exchange API credentials as sent by the caller; the secret is write-only and never printed. */
    public record CredentialsBody(String clientId, String clientSecret) {

        @Override
        public String toString() {
            return "CredentialsBody[clientId=" + clientId + ", clientSecret=****]";
        }
    }

    /** {@code POST /api/clients}. */
    @Schema(name = "CreateClient")
    public record CreateClient(
            @Schema(required = true, example = "deribit-main") String name,
            @Schema(
                            required = true,
                            enumeration = {"deribit", "binance"})
                    String platform,
            @Schema(description = "WebSocket endpoint; the platform's default when absent") String url,
            Boolean regionAware,
            String preferredRegion,
            Boolean clusterEnabled,
            CredentialsBody credentials,
            @Schema(description = "persistent channels subscribed at once") List<String> channels) {}

    /** {@code POST /api/clients/{name}/subscriptions}. */
    @Schema(name = "Subscribe")
    public record Subscribe(
            @Schema(required = true, example = "[\"book.BTC-PERPETUAL.100ms\"]") List<String> channels,
            @Schema(description = "survives the owner node; default true") Boolean persistent,
            @Schema(description = "caller-chosen id, for a single channel") String id) {}

    /**
     * A subscription; {@code owner} and {@code state} are filled in listings of this cluster's own (a bridged
     * cluster's clients and market data are not visible here).
     */
    @Schema(name = "Subscription")
    public record SubscriptionView(
            String id,
            String channel,
            String client,
            boolean persistent,
            String owner,
            String state,
            long createdAt,
            @Schema(description = "the cluster whose subscription it is (nova.cluster.name)") String cluster,
            @Schema(description = "the client's platform") String platform) {}

    /** A bridged cluster in {@code GET /api/cluster}. */
    @Schema(name = "Bridge")
    public record BridgeView(
            String cluster,
            @Schema(enumeration = {"online", "offline"}) String status,
            @Schema(description = "its subscriptions as they last arrived here") int subscriptions,
            @Schema(description = "when this node last received a change from it (epoch ms; null: none since start)")
                    Long lastUpdateAt,
            @Schema(description = "since when it has this status (epoch ms; null: never seen)") Long since) {}

    /** {@code POST /api/bridges/{cluster}/adopt}. */
    @Schema(name = "Adopt")
    public record Adopt(
            @Schema(required = true, description = "the bridged cluster's client whose channels are taken over")
                    String fromClient,
            @Schema(required = true, description = "this cluster's client that subscribes them (same platform)")
                    String toClient,
            @Schema(description = "adopt even while the bridged cluster is online") Boolean force) {}

    /** The answer of an adoption. */
    @Schema(name = "Adopted")
    public record Adopted(
            String cluster,
            String fromClient,
            String toClient,
            @Schema(description = "the subscriptions made") List<SubscriptionView> subscriptions,
            @Schema(description = "persistent channels of fromClient that toClient already held")
                    List<String> skipped) {}

    /** The answer to a subscribe. */
    public record Subscribed(List<SubscriptionView> subscriptions) {}

    /** The client id of a client's credentials; the secret is never returned. */
    public record CredentialsView(String clientId) {}

    /** A client as the API shows it. Counters come from the owner node and are absent when it is elsewhere. */
    @Schema(name = "Client")
    public record ClientView(
            String name,
            String platform,
            String url,
            String owner,
            long epoch,
            @Schema(
                            enumeration = {
                                "UNASSIGNED",
                                "CONNECTING",
                                "CONNECTED",
                                "RECONNECTING",
                                "FAILING_OVER",
                                "TRANSFERRING",
                                "PAUSED",
                                "FAILED",
                                "STOPPED"
                            })
                    String state,
            String region,
            boolean regionAware,
            String preferredRegion,
            boolean clusterEnabled,
            CredentialsView credentials,
            List<SubscriptionView> subscriptions,
            Long messagesReceived,
            Long lastMessageAt,
            Long gaps,
            Long duplicates,
            Long reconnects,
            Integer sessions,
            String lastError,
            long createdAt,
            long stateChangedAt) {}

    /** One member in {@code GET /api/cluster}. */
    @Schema(name = "ClusterNode")
    public record NodeView(
            String name,
            String region,
            String address,
            boolean coordinator,
            int clients,
            @Schema(description = "clients it runs (not stopped): what load balancing evens out") int load,
            @Schema(description = "in the view for a full rebalance interval: it takes part in rebalancing")
                    boolean counted,
            @Schema(
                            description = "the status the member reports of itself (starting: it has not written its "
                                    + "node record yet; unknown: it did not answer within 1 s)",
                            enumeration = {"starting", "ready", "degraded", "paused", "draining", "drained", "unknown"})
                    String status,
            @Schema(
                            description =
                                    "whether the member's side holds quorum, as it reports; absent when it did not answer")
                    Boolean quorum,
            @Schema(description = "exchange WebSocket sessions the member holds open; absent when it did not answer")
                    Integer sessions,
            @Schema(
                            description = "the version of the record schemas the member runs (README, \"Rolling "
                                    + "upgrades\"); absent until it has written its node record")
                    Integer schemaVersion) {}

    /** The market active for one exchange, and the next whole hour at which that changes. */
    @Schema(name = "MarketWindow")
    public record MarketView(String active, String nextChange) {}

    /** {@code GET /api/cluster}. */
    @Schema(name = "Cluster")
    public record ClusterView(
            String cluster,
            String node,
            @Schema(enumeration = {"starting", "ready", "degraded", "paused"}) String status,
            List<NodeView> nodes,
            java.util.Map<String, List<String>> regions,
            @Schema(enumeration = {"none", "least_connections", "market_hours"}) String strategy,
            @Schema(description = "how far the most loaded counted member is above their mean load (0.25: 25 %)")
                    double imbalance,
            @Schema(
                            description =
                                    "market_hours: the market active now (the first exchange's that has one; markets: each)")
                    String activeMarket,
            @Schema(description = "market_hours: the next whole hour (UTC) at which an active market changes")
                    String nextMarketChange,
            @Schema(description = "market_hours: per exchange") java.util.Map<String, MarketView> markets,
            @Schema(description = "when the coordinator last compared the members (epoch ms; 0: never here)")
                    long lastRebalanceAt,
            @Schema(description = "whether this node's side holds quorum of the reference membership") boolean quorum,
            @Schema(description = "members of the reference membership this side cannot see (lost or partitioned)")
                    List<String> missing,
            @Schema(description = "the clusters this one shares its subscriptions with (none: not bridged)")
                    List<BridgeView> bridges) {}

    /** {@code GET /api/me}: who the caller is and what the API lets it do. */
    @Schema(name = "Me")
    public record Me(
            String user,
            @Schema(description = "the caller's Nova roles: nova-admin, nova-reader") List<String> roles,
            @Schema(description = "whether the caller may change things (nova-admin)") boolean admin) {}

    /** {@code GET /api/cluster/health}. */
    @Schema(name = "ClusterHealth")
    public record ClusterHealth(
            int nodesAvailable,
            int nodesTotal,
            boolean subscriptionsSynced,
            @Schema(description = "replication round trip of the last probe write, ms; -1 before the first")
                    double syncLagMs,
            @Schema(description = "this node holds no quorum: its view lacks a quorum of the reference membership")
                    boolean partitions,
            String status,
            @Schema(enumeration = {"pause_minority", "pause_all", "ignore"}) String partitionHandling,
            @Schema(
                            description =
                                    "the membership quorum is judged against: the view that was stable before members"
                                            + " were lost")
                    List<String> reference,
            @Schema(description = "members of the reference missing from this node's view") List<String> missing,
            @Schema(description = "bridged clusters reachable now") int bridgesOnline,
            @Schema(description = "bridged clusters configured (nova.cluster.bridge-clusters)") int bridgesTotal) {}

    /** {@code POST /api/cluster/forget}. */
    @Schema(name = "Forget")
    public record Forget(
            @Schema(required = true, description = "members gone for good, no longer counted for quorum")
                    List<String> nodes) {}

    /** The answer of {@code POST /api/cluster/forget}. */
    @Schema(name = "Forgotten")
    public record Forgotten(
            @Schema(description = "the members this node no longer counts") List<String> forgotten,
            List<String> reference,
            List<String> missing,
            boolean quorum,
            String status) {}

    /** {@code POST /api/cluster/sync}. */
    @Schema(name = "SyncResult")
    public record SyncResult(
            int checked,
            int repaired,
            @Schema(description = "false when some member did not answer in time") boolean complete) {}

    /** {@code POST /api/failover/takeover}. */
    @Schema(name = "Takeover")
    public record Takeover(
            @Schema(description = "one client; all of sourceNode's clients when absent") String client,
            @Schema(required = true) String sourceNode) {}

    /** {@code POST /api/clients/{name}/transfer}. */
    @Schema(name = "Transfer")
    public record Transfer(@Schema(required = true) String targetNode) {}

    /** {@code POST /api/ratelimits/check} and {@code /update}. */
    @Schema(name = "RateLimitRequest")
    public record RateLimitRequest(
            @Schema(
                            required = true,
                            enumeration = {"connect", "auth", "subscribe", "unsubscribe", "heartbeat", "request"})
                    String operation,
            @Schema(required = true, description = "the client whose budget is asked") String client,
            @Schema(description = "Deribit method, for its own cost (e.g. a matching-engine method); optional")
                    String method) {}

    /** The rate limiter's answer; {@code remaining} and {@code cost} are in the budget's unit. */
    @Schema(name = "RateLimitDecision")
    public record RateLimitDecision(boolean allowed, long retryAfterMs, double remaining, String scope, double cost) {}

    /** A budget: what it holds now and how fast it refills, in its unit (credits, messages, connections). */
    @Schema(name = "RateLimitBudget")
    public record RateLimitBudget(
            String scope,
            double capacity,
            double available,
            double refillPerSecond,
            String unit,
            @Schema(description = "held by the cluster (true) or by this node only") boolean shared,
            @Schema(description = "the member holding the budget") String owner,
            @Schema(description = "requests of this node waiting for the budget") int queued) {}

    /** Latency of one kind of budget call over the latest calls. */
    @Schema(name = "CallLatency")
    public record CallLatency(long count, int retained, double p50Us, double p99Us, double maxUs) {}

    /** {@code POST /api/cluster/sync-lag}: the replication round trip of probe writes, in milliseconds. */
    @Schema(name = "SyncLag")
    public record SyncLag(int samples, double p50Ms, double p99Ms, double maxMs) {}
}
