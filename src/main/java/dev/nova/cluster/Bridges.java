package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.infinispan.Cache;
import org.infinispan.commons.IllegalLifecycleStateException;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.jgroups.protocols.relay.RELAY2;

/**
 * The bridged clusters as this cluster sees them. Only this cluster's site master (its coordinator) is in the bridge
 * and knows which clusters are reachable (JGroups RELAY2's routes): it looks every second and writes each change to
 * the replicated {@code bridges} cache, so every member answers the same, and publishes {@code
 * nova.cluster.bridge.online} / {@code offline}. A member that has just become site master waits {@link #GRACE} for
 * its bridge to connect before it calls a cluster offline. Also the gauges {@code nova_cluster_bridges_online} and
 * {@code nova_cluster_bridge_online{cluster}}.
 */
@ApplicationScoped
public class Bridges {

    /** {@link BridgeRecord} by bridged cluster name. */
    public static final String CACHE = "bridges";

    /** How long a new site master's bridge has to find the other clusters before they count as offline. */
    static final long GRACE_MS = 10_000;

    private static final long PERIOD_MS = 1_000;
    private static final Logger LOG = Logger.getLogger(Bridges.class.getName());

    /** One bridged cluster in {@code GET /api/cluster}. */
    public record Status(String cluster, boolean online, Long since, Long lastUpdateAt) {}

    private final ClusterRuntime cluster;
    private final NovaExecutors executors;
    private final ClusterEvents events;
    private final MetricRegistry metrics;
    /** When this node last received a change of each bridged cluster's caches. */
    private final Map<String, Long> lastUpdate = new ConcurrentHashMap<>();

    private volatile long siteMasterSince = -1;
    private ScheduledFuture<?> watch;

    @Inject
    public Bridges(ClusterRuntime cluster, NovaExecutors executors, ClusterEvents events, MetricRegistry metrics) {
        this.cluster = cluster;
        this.executors = executors;
        this.events = events;
        this.metrics = metrics;
    }

    protected Bridges() {
        this(null, null, null, null);
    }

    @Produces
    static CacheDeclaration declaration(ClusterSettings settings) {
        return CacheDeclaration.replicated(CACHE, settings.enabled(), new ClusterSchemaImpl());
    }

    @PostConstruct
    void start() {
        if (!cluster.settings().bridged()) {
            return;
        }
        for (String bridged : clusters()) {
            for (String cache : cluster.bridgedCaches()) {
                cluster.cache(CrossSite.backupName(cache, bridged)).addListener(new Arrivals(bridged));
            }
            metrics.gauge(
                    "nova.cluster.bridge.online",
                    this,
                    b -> b.record(bridged).map(BridgeRecord::online).orElse(false) ? 1 : 0,
                    new Tag("cluster", bridged));
        }
        metrics.gauge("nova.cluster.bridges.online", this, Bridges::online);
        watch = executors.timers().scheduleWithFixedDelay(this::look, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Starts with the application, so that the site master watches the bridge whether or not anyone asks. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct starts the watch.
    }

    @PreDestroy
    void stop() {
        if (watch != null) {
            watch.cancel(false);
        }
    }

    /** The bridged clusters, in the order configured; none when this cluster is not bridged. */
    public List<String> clusters() {
        BridgeSettings bridge = cluster.settings().bridge();
        return bridge == null ? List.of() : bridge.clusters();
    }

    public boolean bridges(String name) {
        return clusters().contains(name);
    }

    /** Whether {@code name} is reachable (false for one never seen). */
    public boolean online(String name) {
        return record(name).map(BridgeRecord::online).orElse(false);
    }

    /** How many bridged clusters are reachable. */
    public int online() {
        return (int) clusters().stream().filter(this::online).count();
    }

    /** Every bridged cluster's standing. */
    public List<Status> statuses() {
        List<Status> statuses = new ArrayList<>();
        for (String name : clusters()) {
            Optional<BridgeRecord> record = record(name);
            statuses.add(new Status(
                    name,
                    record.map(BridgeRecord::online).orElse(false),
                    record.map(BridgeRecord::since).orElse(null),
                    lastUpdate.get(name)));
        }
        return statuses;
    }

    private Optional<BridgeRecord> record(String name) {
        if (!cluster.joined()) {
            return Optional.empty();
        }
        Cache<String, BridgeRecord> cache = cluster.cache(CACHE);
        return Optional.ofNullable(cache.get(name));
    }

    /** On the site master: writes what changed in the bridge since the last look. */
    private void look() {
        try {
            if (!cluster.joined()) {
                siteMasterSince = -1;
                return;
            }
            Optional<RELAY2> relay =
                    cluster.channel().map(c -> c.getProtocolStack().findProtocol(RELAY2.class));
            if (relay.isEmpty() || !relay.get().isSiteMaster()) {
                siteMasterSince = -1;
                return;
            }
            long now = System.currentTimeMillis();
            if (siteMasterSince < 0) {
                siteMasterSince = now;
                LOG.info(() -> "NOVA-1041 this node is the site master of cluster "
                        + cluster.settings().name() + ": it connects the bridge to " + clusters());
            }
            List<String> sites = relay.get().getCurrentSites();
            Set<String> reachable = sites == null ? Set.of() : Set.copyOf(sites);
            for (String name : clusters()) {
                boolean online = reachable.contains(name);
                Optional<BridgeRecord> known = record(name);
                if (known.isPresent() && known.get().online() == online) {
                    continue;
                }
                if (!online && now - siteMasterSince < GRACE_MS) {
                    continue;
                }
                if (known.isEmpty() && !online) {
                    cluster.cache(CACHE)
                            .put(
                                    name,
                                    new BridgeRecord(
                                            false, now, cluster.identity().name()));
                    continue;
                }
                cluster.cache(CACHE)
                        .put(
                                name,
                                new BridgeRecord(online, now, cluster.identity().name()));
                events.publish(
                        online ? ClusterEvent.BRIDGE_ONLINE : ClusterEvent.BRIDGE_OFFLINE,
                        null,
                        null,
                        "cluster " + name + (online ? " is reachable over the bridge" : " left the bridge"));
            }
        } catch (IllegalLifecycleStateException stopping) {
            LOG.log(Level.FINE, "the bridge is not looked at while the node stops", stopping);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "NOVA-1042 the bridge could not be looked at: " + e, e);
        }
    }

    /** Notes when a bridged cluster's entries last changed here. */
    @Listener(sync = false)
    public final class Arrivals {
        private final String from;

        Arrivals(String from) {
            this.from = from;
        }

        @CacheEntryCreated
        @CacheEntryModified
        @CacheEntryRemoved
        public void changed(CacheEntryEvent<?, ?> event) {
            if (!event.isPre()) {
                lastUpdate.put(from, System.currentTimeMillis());
            }
        }
    }
}
