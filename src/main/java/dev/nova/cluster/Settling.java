package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.infinispan.AdvancedCache;
import org.infinispan.conflict.ConflictManager;
import org.infinispan.conflict.ConflictManagerFactory;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.topology.CacheTopology;

/**
 * Says when the cluster's records are the cluster's again after a merge, or after this side got quorum back: every
 * cache's topology counts all members of the view, no rebalance or conflict resolution runs, and the topology is newer
 * than the one this node had at the merge ({@link ClusterRuntime#settled}). Then the coordinator looks for entries
 * whose replicas still differ and resolves them with the cache's merge policy: Infinispan cancels its own conflict
 * resolution when the view changes while it runs (a member excluded again right after the merge), and the copies the
 * resolution never reached would stay apart until something rewrote them. Every node waits until no entry differs,
 * so none acts on a copy that lost. Fires {@link RecordsSettled}, also when the caches are not seen settled within
 * {@link #PATIENCE} (logged): a missed topology must not stop the cluster.
 */
@ApplicationScoped
public class Settling {

    /** How often the topologies are looked at while a merge settles. */
    static final Duration POLL = Duration.ofMillis(200);

    /** How often a long wait says what it waits for. */
    static final Duration REPORT = Duration.ofSeconds(5);

    /** How long after a merge the event waits at most for settled caches. */
    public static final Duration PATIENCE = Duration.ofSeconds(60);

    private static final Logger LOG = Logger.getLogger(Settling.class.getName());

    private final ClusterRuntime cluster;
    private final NovaExecutors executors;
    private final Event<RecordsSettled> settled;
    /** Counts the merges: only the latest one's wait fires. */
    private final AtomicLong generation = new AtomicLong();

    private volatile boolean hadQuorum = true;
    /** How long after the latest merge the wait last said what it waits for. */
    private volatile long reportedAt;

    @Inject
    public Settling(ClusterRuntime cluster, NovaExecutors executors, Event<RecordsSettled> settled) {
        this.cluster = cluster;
        this.executors = executors;
        this.settled = settled;
    }

    protected Settling() {
        this(null, null, null);
    }

    /** A new view: a merge, or quorum back on this side, starts a wait for settled caches. */
    public void viewChanged(MembershipChanged change) {
        boolean quorum = change.view().quorum();
        boolean regained = quorum && !hadQuorum;
        hadQuorum = quorum;
        if (cluster.clustered() && quorum && (change.merge() || regained)) {
            start(generation.incrementAndGet());
        }
    }

    private void awaitSettled(long merge, long since) {
        awaitSettled(merge, since, 0);
    }

    private void start(long merge) {
        reportedAt = 0;
        awaitSettled(merge, System.currentTimeMillis());
    }

    /** {@code differedBefore}: how many entries differed at the previous look (0 when none or not looked yet). */
    private void awaitSettled(long merge, long since, long differedBefore) {
        executors
                .timers()
                .schedule(
                        () -> executors.connector().execute(() -> check(merge, since, differedBefore)),
                        POLL.toMillis(),
                        TimeUnit.MILLISECONDS);
    }

    private void check(long merge, long since, long differedBefore) {
        if (merge != generation.get()) {
            return; // a later merge waits for itself
        }
        List<String> members = cluster.members();
        long waited = System.currentTimeMillis() - since;
        boolean late = waited >= PATIENCE.toMillis();
        List<String> moving = cluster.cacheNames().stream()
                .filter(name -> !cluster.settled(name, members))
                .toList();
        boolean topologies = moving.isEmpty();
        Map<String, Long> differingBy = topologies ? differing() : Map.of();
        long differing =
                differingBy.values().stream().mapToLong(Long::longValue).sum();
        if ((!topologies || differing > 0) && waited - reportedAt >= REPORT.toMillis()) {
            reportedAt = waited;
            LOG.info(() -> "NOVA-1023 " + waited + " ms after a merge, waiting for "
                    + (topologies
                            ? "entries whose replicas differ: " + differingBy
                            : "the topologies of "
                                    + moving.stream().map(this::topologyOf).toList()));
        }
        if (!topologies && !late) {
            awaitSettled(merge, since);
            return;
        }
        if (differing > 0 && !late) {
            // Entries a write is replicating differ for a moment: only what still differs at the next look is
            // resolved, by the coordinator; every node waits until nothing differs.
            if (differedBefore > 0 && cluster.isCoordinator()) {
                resolve();
            }
            awaitSettled(merge, since, differing);
            return;
        }
        boolean all = topologies && differing == 0;
        if (!all) {
            LOG.warning(() -> "NOVA-1019 the caches were not seen settled among " + members + " " + waited
                    + " ms after a merge" + (differing > 0 ? " (" + differing + " entries still differ)" : "")
                    + ": going on with this node's copies");
        } else {
            LOG.info(() -> "NOVA-1020 records settled among " + members + " " + waited + " ms after a merge");
        }
        settled.fire(new RecordsSettled(members, waited, all));
    }

    /** A cache's topology (id, phase, members) and the id it had at the merge, for the log. */
    private String topologyOf(String name) {
        DistributionManager distribution =
                cluster.cache(name).getAdvancedCache().getDistributionManager();
        CacheTopology topology = distribution == null ? null : distribution.getCacheTopology();
        return topology == null
                ? name
                : name + " " + topology.getTopologyId() + " " + topology.getPhase() + " " + topology.getMembers()
                        + " (at the merge " + cluster.topologyAtMerge(name) + ")";
    }

    /** The caches of records nodes act on that have a merge policy (their replicas a merge reconciles). */
    private List<AdvancedCache<Object, Object>> merged() {
        return cluster.recordCaches().stream()
                .map(name -> cluster.<Object, Object>cache(name).getAdvancedCache())
                .filter(cache -> cache.getDistributionManager() != null
                        && cache.getCacheConfiguration()
                                        .clustering()
                                        .partitionHandling()
                                        .mergePolicy()
                                != null)
                .toList();
    }

    /** How many entries have replicas that differ between the members, by cache (only those with any). */
    private Map<String, Long> differing() {
        Map<String, Long> differing = new TreeMap<>();
        for (AdvancedCache<Object, Object> cache : merged()) {
            long count;
            try {
                count = ConflictManagerFactory.get(cache).getConflicts().count();
            } catch (RuntimeException e) {
                // A state transfer or Infinispan's own resolution is running: counted as differing, looked at again.
                LOG.log(Level.FINE, "could not compare the replicas of cache " + cache.getName(), e);
                count = 1;
            }
            if (count > 0) {
                differing.put(cache.getName(), count);
            }
        }
        return differing;
    }

    /** Resolves what still differs with each cache's merge policy. */
    private void resolve() {
        for (AdvancedCache<Object, Object> cache : merged()) {
            try {
                ConflictManager<Object, Object> conflicts = ConflictManagerFactory.get(cache);
                long differing = conflicts.getConflicts().count();
                if (differing > 0) {
                    LOG.warning(() -> "NOVA-1021 " + differing + " entries of cache " + cache.getName()
                            + " still differ between members after the merge: resolving them with its merge policy");
                    conflicts.resolveConflicts();
                }
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "NOVA-1022 could not resolve the differing entries of cache " + cache.getName(),
                        e);
            }
        }
    }
}
