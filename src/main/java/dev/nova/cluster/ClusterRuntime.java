package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import dev.nova.concurrency.SerialExecutor;
import dev.nova.failover.EpochMergePolicy;
import dev.nova.model.ClientRecord;
import dev.nova.model.NodeIdentity;
import dev.nova.model.Subscription;
import dev.nova.ratelimit.RateLimitSettings;
import io.reactivex.rxjava3.schedulers.Schedulers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.infinispan.transaction.LockingMode;
import org.infinispan.transaction.TransactionMode;
import org.infinispan.transaction.lookup.EmbeddedTransactionManagerLookup;
import org.jgroups.JChannel;
import org.jgroups.protocols.TP;
import org.jgroups.stack.Protocol;

/**
 * Owns this node's Infinispan cache manager, its JGroups transport and the caches of cluster state. With
 * {@code nova.cluster.enabled=false} the same caches are local and there is no transport. Membership, failure
 * detection, replication and state transfer are Infinispan's and JGroups'; Nova only listens to the views and
 * turns them into {@link MembershipChanged} events.
 */
@ApplicationScoped
public class ClusterRuntime {

    /** {@link ClientRecord} by client name. */
    public static final String CLIENTS = "clients";
    /** {@link Subscription} by subscription id. */
    public static final String SUBSCRIPTIONS = "subscriptions";
    /** {@link NodeRecord} by node name. */
    public static final String NODES = "nodes";
    /** Stream interest: key {@code channel|node}, value the node name. */
    public static final String INTERESTS = "interests";
    /** Replication probes that measure sync lag, by node name. */
    public static final String PROBES = "probes";
    /** Rate-limit budgets shared by the cluster (Bucket4j state by scope); local when they are not shared. */
    public static final String RATE_LIMITS = "ratelimits";
    /** Rate-limit budgets of this node only (per connection). */
    public static final String LOCAL_RATE_LIMITS = "ratelimits-local";

    private static final Logger LOG = Logger.getLogger(ClusterRuntime.class.getName());

    private final NodeSettings node;
    private final ClusterSettings settings;
    private final RateLimitSettings rateLimits;
    private final NovaExecutors executors;
    private final Event<MembershipChanged> membership;
    private NodeIdentity identity;
    private EmbeddedCacheManager manager;
    private ViewHistory views;
    private SerialExecutor viewLane;
    private volatile List<String> lastMembers = List.of();
    private final Set<String> leaving = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Inject
    public ClusterRuntime(
            NodeSettings node,
            ClusterSettings settings,
            RateLimitSettings rateLimits,
            NovaExecutors executors,
            Event<MembershipChanged> membership) {
        this.node = node;
        this.settings = settings;
        this.rateLimits = rateLimits;
        this.executors = executors;
        this.membership = membership;
    }

    protected ClusterRuntime() {
        this(null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        long startedAt = System.currentTimeMillis();
        identity = new NodeIdentity(node.name(), node.region(), startedAt);
        ClusterSettings cluster = settings;
        views = new ViewHistory(cluster.quorumSize());
        viewLane = new SerialExecutor(executors.control(), "views");
        GlobalConfigurationBuilder global = cluster.enabled()
                ? GlobalConfigurationBuilder.defaultClusteredBuilder()
                : new GlobalConfigurationBuilder().nonClusteredDefault();
        global.cacheManagerName("nova-" + identity.name());
        global.jmx().enabled(false);
        global.serialization().addContextInitializer(new NovaSchemaImpl());
        if (cluster.enabled()) {
            global.transport()
                    .clusterName(cluster.name())
                    .nodeName(identity.name())
                    .addProperty(JGroupsTransport.CONFIGURATION_XML, JGroupsStack.xml(cluster));
        }
        manager = new DefaultCacheManager(global.build(), false);
        try {
            if (cluster.enabled()) {
                manager.addListener(new ViewListener());
            }
            manager.start();
            if (cluster.enabled()) {
                verifyStack(cluster);
            }
            defineCaches(cluster);
        } catch (RuntimeException e) {
            // Never leave a half-started member in the others' view, holding its ports.
            manager.stop();
            throw e;
        }
        if (cluster.enabled()) {
            // Known before start returns, so clients created right after it (declared ones) may start at once.
            views.first(members(), System.currentTimeMillis());
            onView(members(), false);
        } else {
            views.update(List.of(identity.name()), Set.of(), System.currentTimeMillis());
        }
        LOG.info(() -> "NOVA-1001 node " + identity.name() + " (region " + identity.region() + ") "
                + (cluster.enabled()
                        ? "joined cluster " + cluster.name() + " as one of "
                                + members().size() + " member(s) in " + (System.currentTimeMillis() - startedAt) + " ms"
                        : "runs alone: clustering is disabled (nova.cluster.enabled=false)"));
    }

    private void defineCaches(ClusterSettings cluster) {
        manager.defineConfiguration(CLIENTS, clientsCache(cluster.enabled()));
        manager.defineConfiguration(SUBSCRIPTIONS, replicated(cluster.enabled() && cluster.distributedSubscriptions()));
        manager.defineConfiguration(NODES, replicated(cluster.enabled()));
        manager.defineConfiguration(INTERESTS, replicated(cluster.enabled()));
        manager.defineConfiguration(PROBES, replicated(cluster.enabled()));
        manager.defineConfiguration(RATE_LIMITS, rateLimitsCache(cluster.enabled() && rateLimits.distributed()));
        manager.defineConfiguration(LOCAL_RATE_LIMITS, replicated(false));
        // Starting the caches here receives their state from the other members before the node serves anything.
        for (String name : List.of(CLIENTS, SUBSCRIPTIONS, NODES, INTERESTS, PROBES, RATE_LIMITS, LOCAL_RATE_LIMITS)) {
            manager.getCache(name);
        }
    }

    /**
     * Client records decide ownership: their conditional writes must stay correct when retried across a topology
     * change, so the cache is transactional (pessimistic), and after a partition the record with the highest
     * epoch wins.
     */
    private static org.infinispan.configuration.cache.Configuration clientsCache(boolean clustered) {
        ConfigurationBuilder builder = new ConfigurationBuilder().read(replicated(clustered));
        builder.transaction()
                .transactionMode(TransactionMode.TRANSACTIONAL)
                .lockingMode(LockingMode.PESSIMISTIC)
                .transactionManagerLookup(new EmbeddedTransactionManagerLookup());
        if (clustered) {
            builder.clustering().partitionHandling().mergePolicy(new EpochMergePolicy());
        }
        return builder.build();
    }

    /**
     * Budgets: every member holds every bucket, so a lost member takes none with it; a command is applied by the
     * key's primary owner and replayed on the others. A minority partition stops its sessions, so after a merge the
     * majority's budgets are the ones that count.
     */
    private org.infinispan.configuration.cache.Configuration rateLimitsCache(boolean clustered) {
        if (!clustered) {
            return replicated(false);
        }
        ConfigurationBuilder builder = new ConfigurationBuilder().read(replicated(true));
        builder.clustering()
                .remoteTimeout(rateLimits.timeout().toMillis())
                .partitionHandling()
                .mergePolicy(MergePolicy.PREFERRED_ALWAYS);
        return builder.build();
    }

    private static org.infinispan.configuration.cache.Configuration replicated(boolean clustered) {
        ConfigurationBuilder builder = new ConfigurationBuilder();
        if (!clustered) {
            builder.clustering().cacheMode(CacheMode.LOCAL);
            return builder.build();
        }
        builder.clustering()
                .cacheMode(CacheMode.REPL_SYNC)
                .stateTransfer()
                .awaitInitialTransfer(true)
                .timeout(60_000);
        // After a split both sides may have written; on merge keep whatever exists on either side.
        builder.clustering()
                .partitionHandling()
                .whenSplit(PartitionHandling.ALLOW_READ_WRITES)
                .mergePolicy(MergePolicy.PREFERRED_NON_NULL);
        return builder.build();
    }

    /** Fails the start unless the JGroups stack is exactly the TCP stack configured (never a multicast default). */
    private void verifyStack(ClusterSettings cluster) {
        JChannel channel = channel().orElseThrow(() -> new IllegalStateException("no JGroups channel"));
        TP transport = channel.getProtocolStack().getTransport();
        List<String> protocols = new ArrayList<>();
        for (Protocol p : channel.getProtocolStack().getProtocols()) {
            protocols.add(p.getName());
        }
        List<String> problems = new ArrayList<>();
        if (!"TCP".equals(transport.getName())) {
            problems.add("transport is " + transport.getName() + ", not TCP");
        }
        if (protocols.contains("MPING") || protocols.contains("PING") || protocols.contains("UDP")) {
            problems.add("a multicast protocol is in the stack " + protocols);
        }
        if (!protocols.contains("FORK")) {
            problems.add("FORK is missing");
        }
        String bound = transport.getBindAddress() == null
                ? "?"
                : transport.getBindAddress().getHostAddress();
        if (transport.getBindPort() != cluster.bindPort()) {
            problems.add("bound to port " + transport.getBindPort() + " instead of " + cluster.bindPort());
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "NOVA-1002 the JGroups stack is not the one configured: " + String.join("; ", problems));
        }
        LOG.info(() -> "NOVA-1003 JGroups " + String.join(" > ", reversed(protocols)) + " on " + bound + ":"
                + transport.getBindPort() + ", cluster " + cluster.name());
    }

    private static List<String> reversed(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    @PreDestroy
    void stop() {
        try {
            if (manager != null) {
                manager.stop();
            }
        } finally {
            // Infinispan's RxJava schedulers would otherwise keep a thread holding this application's class loader.
            Schedulers.shutdown();
        }
    }

    /** A member said it is leaving on purpose: its departure does not count against quorum. */
    public void leaving(String member) {
        leaving.add(member);
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

    public Cache<String, ClientRecord> clients() {
        return manager.getCache(CLIENTS);
    }

    public Cache<String, Subscription> subscriptions() {
        return manager.getCache(SUBSCRIPTIONS);
    }

    public Cache<String, NodeRecord> nodes() {
        return manager.getCache(NODES);
    }

    public Cache<String, String> interests() {
        return manager.getCache(INTERESTS);
    }

    public Cache<String, Long> probes() {
        return manager.getCache(PROBES);
    }

    public Cache<String, byte[]> rateLimits() {
        return manager.getCache(RATE_LIMITS);
    }

    public Cache<String, byte[]> localRateLimits() {
        return manager.getCache(LOCAL_RATE_LIMITS);
    }

    /** Records a view and tells the rest of the application, on the view lane (a managed thread, in order). */
    private void onView(List<String> members, boolean merge) {
        viewLane.execute(() -> {
            List<String> previous = lastMembers;
            lastMembers = members;
            ViewHistory.Snapshot snapshot = views.update(members, System.currentTimeMillis());
            List<String> joined =
                    members.stream().filter(m -> !previous.contains(m)).toList();
            List<String> left =
                    previous.stream().filter(m -> !members.contains(m)).toList();
            if (!snapshot.quorum()) {
                LOG.warning(() -> "NOVA-1004 view " + members + " holds no quorum of the last stable view "
                        + snapshot.stable() + ": this side may be a minority partition");
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
