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
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.relay.RELAY2;

/**
 * The bridged clusters as this cluster sees them. Only this cluster's site master (its coordinator) is in the bridge
 * and knows which clusters are reachable (JGroups RELAY2's routes): it looks every second and writes each change to
 * the replicated {@code bridges} cache, so every member answers the same, and publishes {@code
 * nova.cluster.bridge.online} / {@code offline}. A cluster missing from the bridge is called offline only after
 * {@link #OFFLINE_AFTER_MS}. Also the gauges {@code nova_cluster_bridges_online} and
 * {@code nova_cluster_bridge_online{cluster}}.
 */
@ApplicationScoped
public class Bridges {

    /** {@link BridgeRecord} by bridged cluster name. */
    public static final String CACHE = "bridges";

    /**
     * How long a cluster must be missing from the bridge to count as offline: longer than a site master's handover
     * (the next coordinator connecting its bridge; after a crash, the failure detection first).
     */
    static final long OFFLINE_AFTER_MS = 10_000;

    private static final long NOTE_EVERY_MS = 60_000;

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

    /** When this node last saw each bridged cluster in the bridge, while it is site master. */
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    private volatile long siteMasterSince = -1;
    private volatile long bridgeMissingNotedAt;
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
                    "nova.cluster.bridge.online", this, b -> b.online(bridged) ? 1 : 0, new Tag("cluster", bridged));
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
        return standing(name).orElse(false);
    }

    /** Whether {@code name} is reachable; empty while the site master has not said yet (since the cluster started). */
    public Optional<Boolean> standing(String name) {
        return record(name).map(BridgeRecord::online);
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

    /**
     * On the site master: writes what changed in the bridge since the last look. A cluster is online while its site
     * master is in the bridge, and offline once it has been missing for {@link #OFFLINE_AFTER_MS} (counted from when
     * this node became site master at the earliest): a site master handing over to the next one, there or here, is
     * not a cluster going away.
     */
    private void look() {
        try {
            if (!cluster.joined()) {
                stepDown();
                return;
            }
            Optional<JChannel> channel = cluster.channel();
            RELAY2 relay = channel.map(c -> (RELAY2) c.getProtocolStack().findProtocol(RELAY2.class))
                    .orElse(null);
            if (relay == null || !siteMaster(relay, channel.get())) {
                stepDown();
                return;
            }
            long now = System.currentTimeMillis();
            if (siteMasterSince < 0) {
                siteMasterSince = now;
                LOG.info(() -> "NOVA-1041 this node is the site master of cluster "
                        + cluster.settings().name() + ": it connects the bridge to " + clusters());
            }
            if (relay.getBridgeView(BridgeSettings.BRIDGE_CLUSTER) == null
                    && now - siteMasterSince > OFFLINE_AFTER_MS
                    && now - bridgeMissingNotedAt > NOTE_EVERY_MS) {
                bridgeMissingNotedAt = now;
                LOG.warning(() -> "NOVA-1044 this node is the site master but its bridge is not connected (is port "
                        + cluster.settings().bridge().bindPort() + " free? see the JGroups errors above): no"
                        + " subscription crosses until it is");
            }
            List<String> sites = relay.getCurrentSites();
            Set<String> reachable = sites == null ? Set.of() : Set.copyOf(sites);
            for (String name : clusters()) {
                if (reachable.contains(name)) {
                    lastSeen.put(name, now);
                }
                long seen = Math.max(lastSeen.getOrDefault(name, -1L), siteMasterSince);
                if (!reachable.contains(name) && now - seen < OFFLINE_AFTER_MS) {
                    continue;
                }
                note(name, reachable.contains(name), now);
            }
        } catch (IllegalLifecycleStateException stopping) {
            LOG.log(Level.FINE, "the bridge is not looked at while the node stops", stopping);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "NOVA-1042 the bridge could not be looked at: " + e, e);
        }
    }

    /** Records a cluster's standing when it changed; a change is an event, unless it is the first word of one. */
    private void note(String name, boolean online, long now) {
        Optional<BridgeRecord> known = record(name);
        if (known.isPresent() && known.get().online() == online) {
            return;
        }
        cluster.cache(CACHE)
                .put(name, new BridgeRecord(online, now, cluster.identity().name()));
        if (known.isPresent() || online) {
            events.publish(
                    online ? ClusterEvent.BRIDGE_ONLINE : ClusterEvent.BRIDGE_OFFLINE,
                    null,
                    null,
                    "cluster " + name + (online ? " is reachable over the bridge" : " left the bridge"));
        }
    }

    private void stepDown() {
        siteMasterSince = -1;
        lastSeen.clear();
    }

    /**
     * Whether this node is its cluster's site master now: the first of RELAY2's site masters. RELAY2's own flag stays
     * set on a member that stopped being one (a merge), with the routes it had then.
     */
    private static boolean siteMaster(RELAY2 relay, JChannel channel) {
        List<Address> masters = relay.siteMasters();
        return relay.isSiteMaster()
                && masters != null
                && !masters.isEmpty()
                && masters.get(0).equals(channel.getAddress());
    }

    /** Notes when a bridged cluster's entries last changed here: at once, on the thread that applies the change. */
    @Listener(sync = true)
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
