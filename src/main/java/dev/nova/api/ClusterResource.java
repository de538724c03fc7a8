package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.api.Dtos.ClusterHealth;
import dev.nova.api.Dtos.ClusterView;
import dev.nova.api.Dtos.NodeView;
import dev.nova.api.Dtos.SyncResult;
import dev.nova.boot.DeclaredClients;
import dev.nova.boot.NodeReports;
import dev.nova.client.ClientService;
import dev.nova.cluster.ClusterBus;
import dev.nova.cluster.ClusterCipher;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.ClusterTls;
import dev.nova.cluster.ConnectTimeoutTransport;
import dev.nova.cluster.Leases;
import dev.nova.cluster.ProbingVerifySuspect;
import dev.nova.cluster.SyncLagProbe;
import dev.nova.cluster.TlsTransport;
import dev.nova.cluster.ViewHistory;
import dev.nova.model.ClientRecord;
import dev.nova.model.Names;
import dev.nova.ownership.ClientRegistry;
import dev.nova.ownership.ClusterStatus;
import dev.nova.ownership.ConsistencyPass;
import dev.nova.ownership.MarketHours;
import dev.nova.ownership.Rebalancer;
import dev.nova.platform.Platform;
import dev.nova.stream.Interests;
import dev.nova.stream.StreamHub;
import dev.nova.subscription.SubscriptionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.infinispan.Cache;
import org.infinispan.distribution.DistributionManager;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.stack.Protocol;

/** The cluster: {@code /api/cluster}, its health, a forced consistency pass and the troubleshooting view. */
@Path("cluster")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "cluster", description = "Membership, regions, health and diagnostics")
public class ClusterResource {

    private final ClusterRuntime cluster;
    private final ClientService clients;
    private final DeclaredClients declared;
    private final ConsistencyPass sync;
    private final SyncLagProbe lag;
    private final ClusterBus bus;
    private final StreamHub hub;
    private final Interests interests;
    private final Leases leases;
    private final Rebalancer rebalancer;
    private final NodeReports reports;
    private final BridgeViews bridges;

    @Inject
    public ClusterResource(
            ClusterRuntime cluster,
            ClientService clients,
            DeclaredClients declared,
            ConsistencyPass sync,
            SyncLagProbe lag,
            ClusterBus bus,
            StreamHub hub,
            Interests interests,
            Leases leases,
            Rebalancer rebalancer,
            NodeReports reports,
            BridgeViews bridges) {
        this.bridges = bridges;
        this.rebalancer = rebalancer;
        this.reports = reports;
        this.cluster = cluster;
        this.clients = clients;
        this.declared = declared;
        this.sync = sync;
        this.lag = lag;
        this.bus = bus;
        this.hub = hub;
        this.interests = interests;
        this.leases = leases;
    }

    protected ClusterResource() {
        this(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    @GET
    @Operation(
            summary = "Cluster status",
            description = "Members with region, REST address, coordinator flag and "
                    + "client count; regions; status starting, ready, degraded or paused")
    @APIResponse(responseCode = "200", description = "The cluster as this node sees it")
    public ClusterView status() {
        // One moment for the members, quorum and missing; the reports that follow may take up to a second.
        ViewHistory.Snapshot view = cluster.view();
        List<ClientRecord> records = clients.list();
        List<ClusterStatus.Member> members = ClusterStatus.members(cluster, records);
        Map<String, NodeReports.Report> reported = reports.all();
        Rebalancer.Status balance = rebalancer.status();
        Map<String, Dtos.MarketView> markets = new TreeMap<>();
        java.time.Instant soonest = null;
        for (Map.Entry<Platform, MarketHours.Active> entry : balance.markets().entrySet()) {
            MarketHours.Active active = entry.getValue();
            markets.put(
                    entry.getKey().id(),
                    new Dtos.MarketView(
                            active.market().map(MarketHours.Market::name).orElse(null),
                            active.nextChange() == null
                                    ? null
                                    : active.nextChange().toString()));
            if (active.nextChange() != null
                    && (soonest == null || active.nextChange().isBefore(soonest))) {
                soonest = active.nextChange();
            }
        }
        return new ClusterView(
                cluster.settings().name(),
                cluster.identity().name(),
                ClusterStatus.status(declared.done(), cluster, records),
                members.stream()
                        .map(m -> {
                            NodeReports.Report report = reported.getOrDefault(m.name(), NodeReports.Report.silent());
                            return new NodeView(
                                    m.name(),
                                    m.region(),
                                    m.address(),
                                    m.coordinator(),
                                    m.clients(),
                                    m.running(),
                                    balance.loads().containsKey(m.name()),
                                    report.status(),
                                    report.answered() ? report.quorum() : null,
                                    report.answered() ? report.sessions() : null,
                                    m.schemaVersion());
                        })
                        .toList(),
                ClusterStatus.regions(members),
                balance.strategy(),
                Math.round(balance.imbalance() * 1000) / 1000.0,
                balance.markets().values().stream()
                        .map(MarketHours.Active::market)
                        .flatMap(java.util.Optional::stream)
                        .map(MarketHours.Market::name)
                        .findFirst()
                        .orElse(null),
                soonest == null ? null : soonest.toString(),
                markets,
                balance.lastRoundAt(),
                view.quorum(),
                view.missing(),
                bridges.all());
    }

    @GET
    @Path("health")
    @Operation(
            summary = "Cluster health",
            description = "nodesTotal is the size of the reference membership (the view that was stable before "
                    + "members were lost); partitions is true while this node's view holds no quorum of it")
    @APIResponse(responseCode = "200", description = "Health figures")
    public ClusterHealth health() {
        ViewHistory.Snapshot view = cluster.view();
        List<ClientRecord> records = clients.list();
        return new ClusterHealth(
                cluster.members().size(),
                Math.max(view.stable().size(), cluster.members().size()),
                sync.synced() && !rebalancing(),
                lag.lastLagMs(),
                !view.quorum(),
                ClusterStatus.status(declared.done(), cluster, records),
                cluster.settings().partitionHandling().value(),
                view.stable(),
                view.missing(),
                bridges.online(),
                bridges.total());
    }

    @POST
    @Path("forget")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Forget lost members",
            description = "Declares members gone for good (shut down, their machine lost): quorum is no longer "
                    + "judged with them. This node and every member it reaches forget them; a side paused because "
                    + "of them (pause_all, or a minority made of the last survivors) carries on when what is left "
                    + "holds quorum. Forgetting a member that is not in the reference changes nothing")
    @APIResponse(responseCode = "200", description = "The membership quorum is now judged against")
    @APIResponse(
            responseCode = "400",
            description = "nodes missing, empty or not node names",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "a named node is in this node's view: only a member that is gone can be forgotten",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Dtos.Forgotten forget(Dtos.Forget body) {
        if (body == null || body.nodes() == null || body.nodes().isEmpty()) {
            throw NovaException.invalid(
                    "nodes is required: the names of the members to forget, e.g. {\"nodes\":[\"n3\"]}");
        }
        Set<String> names = new TreeSet<>();
        for (String name : body.nodes()) {
            if (name == null || !Names.NAME.matcher(name).matches()) {
                throw NovaException.invalid("'" + name + "' is not a node name");
            }
            names.add(name);
        }
        List<String> present =
                names.stream().filter(cluster.members()::contains).toList();
        if (!present.isEmpty()) {
            throw NovaException.conflict(present + " in this node's view: only a member that is gone can be forgotten");
        }
        List<String> before = cluster.view().stable();
        ViewHistory.Snapshot after;
        try {
            after = bus.forget(names).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NovaException.unavailable("interrupted while forgetting " + names);
        } catch (ExecutionException | TimeoutException e) {
            throw NovaException.unavailable("could not forget " + names + ": " + e);
        }
        return new Dtos.Forgotten(
                names.stream().filter(before::contains).toList(),
                after.stable(),
                after.missing(),
                after.quorum(),
                ClusterStatus.status(declared.done(), cluster, clients.list()));
    }

    @POST
    @Path("sync")
    @Operation(
            summary = "Force a consistency pass",
            description =
                    "Every member reconciles the subscriptions of "
                            + "the clients it owns with its exchange sessions: missing ones are subscribed, orphans unsubscribed")
    @APIResponse(responseCode = "200", description = "Subscriptions checked and repairs made, cluster-wide")
    public SyncResult sync() {
        ConsistencyPass.Result result = sync.syncCluster();
        return new SyncResult(result.checked(), result.repaired(), result.complete());
    }

    @POST
    @Path("sync-lag")
    @Operation(
            summary = "Measure the sync lag",
            description = "Writes `samples` probes (default 100, at most 10000) into the replicated probe cache one "
                    + "after the other and times each: a write returns once every member applied it. The answer is "
                    + "the distribution in milliseconds")
    @APIResponse(responseCode = "200", description = "{samples, p50Ms, p99Ms, maxMs}")
    @APIResponse(
            responseCode = "400",
            description = "samples out of range",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Dtos.SyncLag syncLag(@QueryParam("samples") @DefaultValue("100") String given) {
        // Taken as text: JAX-RS answers 404 to a query parameter it cannot convert.
        int samples;
        try {
            samples = Integer.parseInt(given.trim());
        } catch (NumberFormatException e) {
            samples = -1;
        }
        if (samples < 1 || samples > 10_000) {
            throw NovaException.invalid("samples must be a number between 1 and 10000, not '" + given + "'");
        }
        long[] micros = new long[samples];
        for (int i = 0; i < samples; i++) {
            micros[i] = lag.measure();
        }
        java.util.Arrays.sort(micros);
        return new Dtos.SyncLag(
                samples,
                micros[(int) Math.ceil(0.5 * samples) - 1] / 1000.0,
                micros[(int) Math.ceil(0.99 * samples) - 1] / 1000.0,
                micros[samples - 1] / 1000.0);
    }

    @GET
    @Path("diagnostics")
    @Operation(
            summary = "Troubleshooting view",
            description =
                    "JGroups view and coordinator, the reference membership, quorum, settling (after a merge or regained "
                            + "quorum, the wait until the records are the cluster's again; 0 none) and the lease (held: a quorum "
                            + "confirms this node; unfenced: members gone that may still run their clients), transport address, "
                            + "protocols, abandoned connects (no answer within 1 s), the failure detector's ping destination and "
                            + "whether it is connected, cache sizes, modes and rebalancing, how the clients' exchange secrets are "
                            + "sealed (current or previous cluster secret, unreadable here), cluster bus counters and stream "
                            + "interest")
    @APIResponse(responseCode = "200", description = "Diagnostics")
    public Map<String, Object> diagnostics() {
        Map<String, Object> out = new LinkedHashMap<>();
        ViewHistory.Snapshot view = cluster.view();
        out.put("node", cluster.identity().name());
        out.put("incarnation", cluster.identity().incarnation());
        out.put("clustered", cluster.clustered());
        out.put("members", cluster.members());
        out.put("coordinator", cluster.coordinator());
        out.put("stableView", view.stable());
        out.put("quorum", view.quorum());
        out.put("settling", view.settling());
        out.put("partitionHandling", cluster.settings().partitionHandling().value());
        out.put("lease", Map.of("held", leases.held(), "unfenced", leases.unfenced()));
        cluster.channel().ifPresent(channel -> out.put("transport", transport(channel)));
        Map<String, Object> caches = new LinkedHashMap<>();
        for (String name : cluster.cacheNames()) {
            Cache<?, ?> cache = cluster.manager().getCache(name);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put(
                    "mode",
                    cache.getCacheConfiguration().clustering().cacheMode().toString());
            info.put("size", cache.size());
            info.put("status", cache.getStatus().toString());
            DistributionManager distribution = cache.getAdvancedCache().getDistributionManager();
            info.put("rebalancing", distribution != null && distribution.isRehashInProgress());
            caches.put(name, info);
        }
        out.put("caches", caches);
        out.put("credentials", clients.credentialSeals());
        out.put(
                "bus",
                Map.of(
                        "active", bus.active(),
                        "sent", hub.forwardedCount(),
                        "received", hub.receivedCount(),
                        "dropped", hub.forwardDroppedCount(),
                        "unreadable", bus.unreadableCount(),
                        "interest", interests.snapshot()));
        return out;
    }

    private Map<String, Object> transport(JChannel channel) {
        Map<String, Object> transport = new LinkedHashMap<>();
        transport.put("clusterName", channel.getClusterName());
        transport.put("address", String.valueOf(channel.getAddress()));
        var tp = channel.getProtocolStack().getTransport();
        transport.put("bindAddress", String.valueOf(tp.getBindAddress()));
        transport.put("bindPort", tp.getBindPort());
        if (tp instanceof ConnectTimeoutTransport bounded) {
            transport.put("abandonedConnects", bounded.abandonedConnects());
            transport.put("staleConnectionsClosed", bounded.staleConnectionsClosed());
        }
        FD_SOCK2 fd = channel.getProtocolStack().findProtocol(FD_SOCK2.class);
        if (fd != null) {
            // FD_SOCK2 formats its ping destination as "<member> [<address> <state>]", "null [...]" when it has none
            // (a node alone): the member, or null.
            String dest = fd.getPingDest();
            int end = dest.indexOf(" [");
            String member = end < 0 ? dest : dest.substring(0, end);
            Map<String, Object> detector = new LinkedHashMap<>();
            detector.put("pingDest", "null".equals(member) ? null : member);
            detector.put("clientState", fd.getClientState());
            ProbingVerifySuspect verify = channel.getProtocolStack().findProtocol(ProbingVerifySuspect.class);
            if (verify != null) {
                detector.put("suspectsConfirmedByRefusal", verify.confirmedByRefusal());
            }
            transport.put("failureDetection", detector);
        }
        ClusterCipher cipher = channel.getProtocolStack().findProtocol(ClusterCipher.class);
        Map<String, Object> encryption = new LinkedHashMap<>();
        boolean overTls = tp instanceof TlsTransport;
        encryption.put("enabled", cipher != null || overTls);
        encryption.put("pki", overTls);
        if (overTls) {
            encryption.put("algorithm", "TLSv1.3");
            encryption.put("refusedHandshakes", ClusterTls.refusedHandshakes());
        }
        if (cipher != null) {
            encryption.put("algorithm", cipher.symAlgorithm());
            encryption.put("acceptsPreviousSecret", cipher.acceptsPrevious());
            encryption.put("refusedMessages", cipher.refusedMessages());
        }
        transport.put("encryption", encryption);
        transport.put(
                "viewId",
                channel.getView() == null ? null : channel.getView().getViewId().toString());
        transport.put(
                "protocols",
                channel.getProtocolStack().getProtocols().stream()
                        .map(Protocol::getName)
                        .toList());
        return transport;
    }

    private boolean rebalancing() {
        for (String name : List.of(ClientRegistry.CACHE, SubscriptionRegistry.CACHE)) {
            DistributionManager distribution =
                    cluster.manager().getCache(name).getAdvancedCache().getDistributionManager();
            if (distribution != null && distribution.isRehashInProgress()) {
                return true;
            }
        }
        return false;
    }
}
