package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import dev.nova.concurrency.SerialExecutor;
import dev.nova.model.NodeIdentity;
import io.reactivex.rxjava3.schedulers.Schedulers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.infinispan.topology.CacheTopology;
import org.jgroups.JChannel;

/**
 * Owns this node's Infinispan cache manager, its JGroups transport and the caches of cluster state: its own
 * ({@code nodes}, {@code probes}) and those the features declare ({@link CacheDeclaration}). With
 * {@code nova.cluster.enabled=false} the same caches are local and there is no transport. Membership, failure
 * detection, replication and state transfer are Infinispan's and JGroups'; Nova only listens to the views and turns
 * them into {@link MembershipChanged} events, one at a time and in order.
 */
@ApplicationScoped
public class ClusterRuntime {

    /** {@link NodeRecord} by node name. */
    public static final String NODES = "nodes";
    /** Replication probes that measure sync lag, by node name. */
    public static final String PROBES = "probes";
    /** {@link Tombstone}s of deleted records, by kind and key ({@link Tombstones}). */
    public static final String TOMBSTONES = "tombstones";
    /** What this node alone keeps on disk about its membership ({@link Remembered}); never replicated. */
    static final String NODE_STATE = "node-state";

    private static final Logger LOG = Logger.getLogger(ClusterRuntime.class.getName());

    private final NodeSettings node;
    private final ClusterSettings settings;
    private final DataSettings data;
    private final Instance<CacheDeclaration> declarations;
    private final NovaExecutors executors;
    private final Event<MembershipChanged> membership;
    private final Map<String, CacheDeclaration> caches = new LinkedHashMap<>();
    /** Each cache's topology id at the latest merge view ({@link #settled} waits for a newer one). */
    private final MergeTopologies atMerge = new MergeTopologies();

    private NodeIdentity identity;
    private EmbeddedCacheManager manager;
    private ViewHistory views;
    private SerialExecutor viewLane;
    private volatile List<String> lastMembers = List.of();
    private ScheduledFuture<?> settling;
    /** The reference membership this node keeps on disk; null when nothing is kept. */
    private Remembered remembered;

    @Inject
    public ClusterRuntime(
            NodeSettings node,
            ClusterSettings settings,
            DataSettings data,
            @Any Instance<CacheDeclaration> declarations,
            NovaExecutors executors,
            Event<MembershipChanged> membership) {
        this.node = node;
        this.settings = settings;
        this.data = data;
        this.declarations = declarations;
        this.executors = executors;
        this.membership = membership;
    }

    protected ClusterRuntime() {
        this(null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        long startedAt = System.currentTimeMillis();
        identity = new NodeIdentity(node.name(), node.region(), startedAt);
        views = new ViewHistory(
                settings.partitionHandling(),
                settings.quorumSize(),
                settings.stableAfter().toMillis());
        viewLane = new SerialExecutor(executors.control(), "views");
        caches.putAll(ClusterCaches.all(settings, data, declarations));
        GlobalConfigurationBuilder global = settings.enabled()
                ? GlobalConfigurationBuilder.defaultClusteredBuilder()
                : new GlobalConfigurationBuilder().nonClusteredDefault();
        global.cacheManagerName("nova-" + identity.name());
        global.jmx().enabled(false);
        ClusterCaches.schemas(global, caches.values());
        String keyRef = null;
        String tlsRef = null;
        if (settings.enabled()) {
            keyRef = settings.encrypted() ? ClusterCipher.hand(ClusterKeys.messageKeys(settings)) : null;
            tlsRef = settings.overTls() ? TlsTransport.hand(settings.tls().context()) : null;
            JGroupsStack.transport(global, settings, identity.name(), keyRef, tlsRef);
        }
        manager = new DefaultCacheManager(global.build(), false);
        // The view lane waits until the reference of this node's previous run (if any) is restored: no view is judged
        // against anything else.
        CompletableFuture<Void> restoring = new CompletableFuture<>();
        viewLane.execute(restoring::join);
        try {
            if (settings.enabled()) {
                manager.addListener(atMerge.listener(() -> manager, caches.keySet()));
                manager.addListener(new ViewListener());
            }
            // Defined before the transport starts: a bridged cluster's backup that arrives at once finds its cache.
            caches.values().forEach(cache -> manager.defineConfiguration(cache.name(), cache.configuration()));
            manager.start();
            if (caches.containsKey(NODE_STATE)) {
                remembered = Remembered.restore(manager.getCache(NODE_STATE), identity.name(), views, data);
            }
            restoring.complete(null);
            if (settings.enabled()) {
                JGroupsStack.verify(
                        channel().orElseThrow(() -> new IllegalStateException("no JGroups channel")), settings);
            }
            // Starting the caches here receives their state from the other members before the node serves anything.
            caches.keySet().forEach(manager::getCache);
        } catch (RuntimeException e) {
            // Never leave a half-started member in the others' view, holding its ports.
            restoring.complete(null);
            manager.stop();
            throw e;
        } finally {
            ClusterCipher.withdraw(keyRef);
            TlsTransport.withdraw(tlsRef);
        }
        if (settings.enabled()) {
            // Known before start returns, so clients created right after it (declared ones) may start at once.
            views.first(members(), System.currentTimeMillis());
            onView(members(), false);
        } else {
            views.update(List.of(identity.name()), System.currentTimeMillis());
        }
        if (settings.enabled()) {
            long period = Math.max(100, Math.min(1000, settings.stableAfter().toMillis() / 10));
            settling = executors
                    .timers()
                    .scheduleWithFixedDelay(
                            () -> viewLane.execute(this::settle), period, period, TimeUnit.MILLISECONDS);
        }
        LOG.info(() -> "NOVA-1001 node " + identity.name() + " (region " + identity.region() + ") "
                + (settings.enabled()
                        ? "joined cluster " + settings.name() + " as one of "
                                + members().size() + " member(s) in " + (System.currentTimeMillis() - startedAt) + " ms"
                        : "runs alone: clustering is disabled (nova.cluster.enabled=false)"));
    }

    /**
     * A view that lost members and stayed quiet for {@code stable-after} becomes the reference quorum counts in; a
     * settling that never reported is ended past its patience (a backstop: {@link Settling} reports by then).
     */
    private void settle() {
        long now = System.currentTimeMillis();
        if (remembered != null) {
            remembered.keep(views.snapshot().stable());
        }
        views.settle(now)
                .ifPresent(snapshot -> LOG.info(() -> "NOVA-1008 view " + snapshot.current() + " unchanged for "
                        + settings.stableAfter().toMillis() + " ms: quorum is now counted among its members"));
        long overdue = views.overdue(now, Settling.PATIENCE.plusSeconds(5).toMillis());
        if (overdue > 0) {
            LOG.warning(() -> "NOVA-1024 settling " + overdue + " never reported: acting on this node's records");
        }
    }

    /**
     * Whether {@code generation} is the settling that began when this node, started with the records of its previous
     * run, first held quorum ({@link ViewHistory#restoring}).
     */
    boolean restoring(long generation) {
        return views.restoring(generation);
    }

    /** The settling {@code generation} saw the records settled: this side acts on them again ({@link Settling}). */
    void recordsSettled(long generation) {
        views.settled(generation);
    }

    @PreDestroy
    void stop() {
        if (settling != null) {
            settling.cancel(false);
        }
        try {
            if (remembered != null) {
                remembered.leaving(views.snapshot().stable());
            }
            if (manager != null) {
                manager.stop();
            }
        } finally {
            // Infinispan's RxJava schedulers would otherwise keep a thread holding this application's class loader.
            Schedulers.shutdown();
        }
    }

    /**
     * A member said it is leaving on purpose: its departure does not count against quorum. The announcement may
     * arrive before or after the view without it; when it comes late and changes quorum, the features are told.
     */
    void leaving(String member) {
        if (!clustered() || member.equals(identity.name())) {
            return;
        }
        viewLane.execute(() -> views.leaving(member, System.currentTimeMillis()).ifPresent(snapshot -> {
            LOG.info(
                    () -> "NOVA-1006 " + member + " left on purpose: quorum is now counted among " + snapshot.stable());
            membership.fire(new MembershipChanged(List.of(), List.of(), false, snapshot));
        }));
    }

    /**
     * An operator declared these members gone for good: they no longer count in the membership quorum is judged
     * against (members still in this node's view are kept). Runs on the view lane; the features are told when this
     * gives this side quorum back.
     */
    public CompletableFuture<ViewHistory.Snapshot> forget(Set<String> members) {
        CompletableFuture<ViewHistory.Snapshot> done = new CompletableFuture<>();
        if (!clustered()) {
            done.complete(views.snapshot());
            return done;
        }
        viewLane.execute(() -> {
            try {
                ViewHistory.Snapshot before = views.snapshot();
                views.forget(members, System.currentTimeMillis()).ifPresent(snapshot -> {
                    LOG.warning(() -> "NOVA-1009 forgot " + members + " on an operator's word: quorum is now counted"
                            + " among " + snapshot.stable() + (snapshot.quorum() ? "" : ", and still not held"));
                    if (snapshot.quorum() != before.quorum()) {
                        membership.fire(new MembershipChanged(List.of(), List.of(), false, snapshot));
                    }
                });
                done.complete(views.snapshot());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Whether these members (this node among them) would hold quorum of the reference membership. */
    boolean holdsQuorum(Collection<String> members) {
        List<String> reference = views.snapshot().stable();
        return reference.isEmpty() || views.hasQuorum(List.copyOf(members), reference);
    }

    /**
     * The lease was lost (too few members confirm this node: it pauses, whatever its view says) or held again; the
     * features are told when that changes this side's quorum.
     */
    void leaseChanged(boolean held) {
        viewLane.execute(() -> views.lease(held, System.currentTimeMillis())
                .ifPresent(snapshot -> membership.fire(new MembershipChanged(List.of(), List.of(), false, snapshot))));
    }

    @Produces
    public NodeIdentity identity() {
        return identity;
    }

    public ClusterSettings settings() {
        return settings;
    }

    public boolean clustered() {
        return settings.enabled();
    }

    public EmbeddedCacheManager manager() {
        return manager;
    }

    /** Whether the node has joined (or, alone, started) and received the caches' state. */
    public boolean joined() {
        return manager != null && manager.getStatus().allowInvocations();
    }

    /** Member names in view order (oldest first); this node alone when clustering is off. */
    public List<String> members() {
        if (!clustered()) {
            return List.of(identity.name());
        }
        List<Address> members = manager.getMembers();
        if (members == null) {
            return List.of();
        }
        return members.stream().map(Object::toString).toList();
    }

    public String coordinator() {
        return clustered() ? String.valueOf(manager.getCoordinator()) : identity.name();
    }

    public boolean isCoordinator() {
        return !clustered() || manager.isCoordinator();
    }

    public ViewHistory.Snapshot view() {
        return views.snapshot();
    }

    /** The JGroups channel of the transport, for the cluster bus and diagnostics. */
    public Optional<JChannel> channel() {
        if (!clustered()) {
            return Optional.empty();
        }
        Transport transport = GlobalComponentRegistry.componentOf(manager, Transport.class);
        return transport instanceof JGroupsTransport jgroups ? Optional.of(jgroups.getChannel()) : Optional.empty();
    }

    public Cache<String, NodeRecord> nodes() {
        return manager.getCache(NODES);
    }

    public Cache<String, Long> probes() {
        return manager.getCache(PROBES);
    }

    /** A cache declared by a feature (or one of the cluster's own), by name. */
    public <K, V> Cache<K, V> cache(String name) {
        if (!caches.containsKey(name)) {
            throw new IllegalArgumentException("no cache " + name + " is declared");
        }
        return manager.getCache(name);
    }

    /**
     * Whether a cache is settled among {@code members}: its topology counts every one of them, no rebalance or
     * conflict resolution (after a merge) is in progress, and it is newer than the topology this node had when it saw
     * the latest merge. Until then this node's copy may be the losing side's.
     */
    public boolean settled(String name, List<String> members) {
        DistributionManager distribution = cache(name).getAdvancedCache().getDistributionManager();
        if (distribution == null) {
            return true;
        }
        CacheTopology topology = distribution.getCacheTopology();
        return topology.getPhase() == CacheTopology.Phase.NO_REBALANCE
                && atMerge.newer(name, topology.getTopologyId())
                && topology.getMembers().stream().map(Object::toString).toList().containsAll(members);
    }

    /** The topology id of cache {@code name} at the latest merge (-1: none), for {@link Settling}'s log. */
    int topologyAtMerge(String name) {
        return atMerge.at(name);
    }

    /** The names of every cache this node keeps, in the order they were declared. */
    public List<String> cacheNames() {
        return List.copyOf(caches.keySet());
    }

    /** The caches backed up to the bridged clusters ({@link CrossSite}); none when the cluster is not bridged. */
    public List<String> bridgedCaches() {
        return caches.values().stream()
                .filter(c -> c.bridged() && settings.bridged())
                .map(CacheDeclaration::name)
                .toList();
    }

    /** The caches whose entries nodes act on ({@link CacheDeclaration#records()}). */
    public List<String> recordCaches() {
        return caches.values().stream()
                .filter(CacheDeclaration::records)
                .map(CacheDeclaration::name)
                .toList();
    }

    /** Records a view and tells the rest of the application, on the view lane (a managed thread, in order). */
    private void onView(List<String> members, boolean merge) {
        viewLane.execute(() -> {
            List<String> previous = lastMembers;
            lastMembers = members;
            ViewHistory.Snapshot snapshot = views.update(members, System.currentTimeMillis(), merge);
            List<String> joined =
                    members.stream().filter(m -> !previous.contains(m)).toList();
            List<String> left =
                    previous.stream().filter(m -> !members.contains(m)).toList();
            if (!snapshot.quorum() && !views.leaseHeld() && views.hasQuorum(members, snapshot.stable())) {
                // The view may be whole (a merge, a resume): what is missing is the others' confirmation of this node.
                LOG.warning(() -> "NOVA-1004 view " + members + ": no quorum of " + snapshot.stable()
                        + " confirms this node's lease yet: it stays paused until one does (NOVA-1014)");
            } else if (!snapshot.quorum()) {
                LOG.warning(() -> "NOVA-1004 view " + members + " holds no quorum of " + snapshot.stable() + " ("
                        + settings.partitionHandling().value() + "): this side may be a minority partition and"
                        + " pauses");
            }
            membership.fire(new MembershipChanged(joined, left, merge, snapshot));
        });
    }

    /** Infinispan's view notifications, handed to the view lane at once (they arrive on Infinispan threads). */
    @Listener(sync = false)
    public final class ViewListener {

        @ViewChanged
        public void viewChanged(ViewChangedEvent event) {
            onView(names(event.getNewMembers()), false);
        }

        @Merged
        public void merged(MergeEvent event) {
            onView(names(event.getNewMembers()), true);
        }

        private List<String> names(List<Address> members) {
            return members.stream().map(Object::toString).toList();
        }
    }
}
