package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.conflict.ConflictManagerFactory;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.container.entries.ImmortalCacheEntry;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;

/**
 * Says when the cluster's records are the cluster's again after a merge, or after this side got quorum back: every
 * cache's topology counts all members of the view, no rebalance or conflict resolution runs, and the topology is newer
 * than the one this node had at the merge ({@link ClusterRuntime#settled}); and in the caches of records nodes act on
 * ({@link CacheDeclaration#records()}) no entry's replicas differ. Infinispan cancels its own conflict resolution when
 * the view changes while it runs (a member excluded again right after the merge), and the copies it never reached
 * would stay apart until something rewrote them: an entry whose replicas differ the same way at two looks in a row is
 * resolved by the coordinator with the cache's merge policy, written only if the copy the write is judged against
 * (the coordinator's own in a transactional cache, the primary's otherwise) is still the one it saw (a conditional
 * write: a write made meanwhile wins). Every node waits until nothing differs, so none acts on a copy
 * that lost. Fires {@link RecordsSettled} with the merge's generation, also when the caches are not seen settled
 * within {@link #PATIENCE} (logged): a missed topology must not stop the cluster. The looks run on a thread of their
 * own (a comparison can wait on the network).
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

    /** The replicas of the entries that differ, by cache and key: each member's value (null: it has none). */
    private record Look(Map<String, Map<Object, Map<Address, Object>>> differing, List<String> unknown) {
        long count() {
            return differing.values().stream().mapToLong(Map::size).sum() + unknown.size();
        }

        /**
         * For the log: per cache, how many entries differ and the first few keys with the members holding a copy and
         * how many versions they hold. Never the values (a client record holds its exchange secret).
         */
        String summary() {
            List<String> parts = new ArrayList<>();
            differing.forEach((cache, keys) -> {
                List<String> some = keys.entrySet().stream()
                        .limit(SHOWN)
                        .map(entry -> entry.getKey() + " " + holders(entry.getValue()))
                        .toList();
                parts.add(cache + "=" + keys.size() + " " + some);
            });
            unknown.forEach(cache -> parts.add(cache + " (not compared)"));
            return String.join(", ", parts);
        }

        private static String holders(Map<Address, Object> replicas) {
            List<String> holding = new ArrayList<>();
            List<String> absent = new ArrayList<>();
            replicas.forEach((member, value) -> (value == null ? absent : holding).add(String.valueOf(member)));
            long versions = replicas.values().stream()
                    .filter(Objects::nonNull)
                    .distinct()
                    .count();
            return "held by " + new TreeSet<>(holding) + " (" + versions + (versions == 1 ? " version" : " versions")
                    + "), absent on " + new TreeSet<>(absent);
        }
    }

    /**
     * What the latest complete look of a settling found (every cache compared in a settled topology): the entries
     * whose replicas differ, by cache and key, with the copies that exist. Every other entry of those caches is the
     * same on every member, so a node may act on it before the rest has settled.
     */
    public record Doubts(long generation, Map<String, Map<Object, List<Object>>> differing) {

        /** The copies of the entries of {@code cache} that differ, by key (none: nothing differs there). */
        public Map<Object, List<Object>> in(String cache) {
            return differing.getOrDefault(cache, Map.of());
        }

        static Doubts of(long generation, Look look) {
            Map<String, Map<Object, List<Object>>> differing = new HashMap<>();
            look.differing().forEach((cache, keys) -> {
                Map<Object, List<Object>> copies = new HashMap<>();
                keys.forEach((key, replicas) -> copies.put(
                        key, replicas.values().stream().filter(Objects::nonNull).toList()));
                differing.put(cache, Map.copyOf(copies));
            });
            return new Doubts(generation, Map.copyOf(differing));
        }
    }

    /** How many differing keys per cache the log names. */
    private static final int SHOWN = 5;

    private static final Look NOTHING = new Look(Map.of(), List.of());

    private final ClusterRuntime cluster;
    private final NovaExecutors executors;
    private final Event<RecordsSettled> settled;
    private final Event<DoubtsNarrowed> narrowed;
    /** Counts the merges: only the latest one's wait fires, and its event names it. */
    private final AtomicLong generation = new AtomicLong();

    private ScheduledExecutorService looks;
    /** A thread per record cache that compares its replicas, so that the caches are compared side by side. */
    private final Map<String, ScheduledExecutorService> comparers = new ConcurrentHashMap<>();
    /** How long after the latest merge the wait last said what it waits for. */
    private volatile long reportedAt;
    /** What the latest complete look of the pending settling found; null while none was made. */
    private volatile Doubts doubts;
    /** The doubts last told with {@link DoubtsNarrowed} (touched on the looks' thread only). */
    private Doubts told;

    @Inject
    public Settling(
            ClusterRuntime cluster,
            NovaExecutors executors,
            Event<RecordsSettled> settled,
            Event<DoubtsNarrowed> narrowed) {
        this.cluster = cluster;
        this.executors = executors;
        this.settled = settled;
        this.narrowed = narrowed;
    }

    protected Settling() {
        this(null, null, null, null);
    }

    @PostConstruct
    void start() {
        looks = executors.dedicated("nova-settling");
    }

    /** The latest merge's generation: a {@link RecordsSettled} of an older one is stale. */
    public long generation() {
        return generation.get();
    }

    /**
     * A new view (or quorum changed): when its snapshot names a settling this node has not started yet (a merge, or
     * quorum back on this side: {@link ViewHistory.Snapshot#settling()}), starts the wait for settled caches. Returns
     * the generation of the wait it started (the {@link RecordsSettled} that ends it carries the same), or 0 when it
     * started none. The snapshot holds the settling from the instant it holds quorum, so nothing acts on the records
     * before this wait ends ({@link ViewHistory.Snapshot#settled()}).
     */
    public long viewChanged(MembershipChanged change) {
        long merge = change.view().settling();
        if (generation.getAndAccumulate(merge, Math::max) >= merge) {
            return 0; // none pending, or this one already started
        }
        reportedAt = 0;
        doubts = null;
        next(merge, System.currentTimeMillis(), NOTHING);
        return merge;
    }

    /**
     * What settling {@code generation} (the one the view snapshot names) is still in doubt about, as of its latest
     * complete look; empty before the first such look, when the topology has moved since, or for another generation.
     */
    public Optional<Doubts> doubts(long generation) {
        Doubts latest = doubts;
        return latest != null && latest.generation() == generation ? Optional.of(latest) : Optional.empty();
    }

    private void next(long merge, long since, Look before) {
        try {
            looks.schedule(() -> check(merge, since, before), POLL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException stopping) {
            LOG.fine(() -> "no further look after the merge: " + stopping);
        }
    }

    private void check(long merge, long since, Look before) {
        if (merge != generation.get()) {
            return; // a later merge waits for itself
        }
        long waited = System.currentTimeMillis() - since;
        boolean late = waited >= PATIENCE.toMillis();
        try {
            List<String> members = cluster.members();
            List<String> moving = cluster.cacheNames().stream()
                    .filter(name -> !cluster.settled(name, members))
                    .toList();
            long lookStart = System.nanoTime();
            Look look = moving.isEmpty() ? look() : NOTHING;
            long lookMs = (System.nanoTime() - lookStart) / 1_000_000;
            // Only a complete look says which entries are the same everywhere; a moving topology undoes what it said.
            Doubts latest = moving.isEmpty() && look.unknown().isEmpty() ? Doubts.of(merge, look) : null;
            doubts = latest;
            if (latest != null && !latest.equals(told) && look.count() > 0) {
                told = latest;
                narrowed.fire(new DoubtsNarrowed(merge));
            }
            report(waited, moving, look);
            if (!late && (!moving.isEmpty() || look.count() > 0)) {
                // The coordinator resolves; so does a restarted node with records, whose join others saw as a join.
                if (look.count() > 0 && before.count() > 0 && (cluster.isCoordinator() || cluster.restoring(merge))) {
                    resolve(before, look);
                }
                next(merge, since, look);
                return;
            }
            boolean all = moving.isEmpty() && look.count() == 0;
            if (merge != generation.get()) {
                return; // a merge came while this look ran
            }
            if (all) {
                long total = System.currentTimeMillis() - since;
                LOG.info(() -> "NOVA-1020 records settled among " + members + " " + total
                        + " ms after a merge (the last comparison of the replicas took " + lookMs + " ms)");
            } else {
                LOG.warning(() -> "NOVA-1019 the caches were not seen settled among " + members + " " + waited
                        + " ms after a merge: going on with this node's copies");
            }
            cluster.recordsSettled(merge);
            settled.fire(new RecordsSettled(merge, members, waited, all));
        } catch (RuntimeException e) {
            if (late) {
                LOG.log(Level.WARNING, "NOVA-1019 the records could not be looked at after a merge: going on", e);
                cluster.recordsSettled(merge);
                settled.fire(new RecordsSettled(merge, cluster.members(), waited, false));
            } else {
                doubts = null;
                LOG.log(Level.FINE, "a look after the merge failed; looking again", e);
                next(merge, since, NOTHING);
            }
        }
    }

    private void report(long waited, List<String> moving, Look look) {
        if ((moving.isEmpty() && look.count() == 0) || waited - reportedAt < REPORT.toMillis()) {
            return;
        }
        reportedAt = waited;
        String what = moving.isEmpty()
                ? "entries whose replicas differ: " + look.summary()
                : "the topologies of " + moving.stream().map(this::topologyOf).toList();
        LOG.info(() -> "NOVA-1023 " + waited + " ms after a merge, waiting for " + what);
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
    static List<AdvancedCache<Object, Object>> merged(ClusterRuntime cluster) {
        List<AdvancedCache<Object, Object>> merged = new ArrayList<>();
        for (String name : cluster.recordCaches()) {
            AdvancedCache<Object, Object> cache =
                    cluster.<Object, Object>cache(name).getAdvancedCache();
            EntryMergePolicy<?, ?> policy = cache.getCacheConfiguration()
                    .clustering()
                    .partitionHandling()
                    .mergePolicy();
            if (cache.getDistributionManager() != null && policy != null && policy != MergePolicy.NONE) {
                merged.add(cache);
            }
        }
        return merged;
    }

    /**
     * The entries whose replicas differ in those caches. A cache whose topology changed during the comparison, or
     * that could not be compared (a state transfer, Infinispan's own resolution running), is {@code unknown}: a
     * cancelled resolution may end a comparison early, as if nothing differed.
     */
    private Look look() {
        // One comparison per cache, all at once: each costs a round trip per segment to every member.
        Map<String, Future<Map<Object, Map<Address, Object>>>> comparisons = new TreeMap<>();
        for (AdvancedCache<Object, Object> cache : merged(cluster)) {
            comparisons.put(
                    cache.getName(),
                    comparers
                            .computeIfAbsent(cache.getName(), name -> executors.dedicated("nova-settling-" + name))
                            .submit(() -> compare(cache)));
        }
        Map<String, Map<Object, Map<Address, Object>>> differing = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        comparisons.forEach((name, comparison) -> {
            try {
                Map<Object, Map<Address, Object>> keys = comparison.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                if (keys == null) {
                    unknown.add(name);
                } else if (!keys.isEmpty()) {
                    differing.put(name, keys);
                }
            } catch (ExecutionException e) {
                LOG.log(Level.FINE, "could not compare the replicas of cache " + name, e.getCause());
                unknown.add(name);
            } catch (TimeoutException e) {
                comparison.cancel(true);
                unknown.add(name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unknown.add(name);
            }
        });
        return new Look(differing, unknown);
    }

    /** The entries of one cache whose replicas differ, each member's value; null when its topology changed meanwhile. */
    static Map<Object, Map<Address, Object>> compare(AdvancedCache<Object, Object> cache) {
        int topology = cache.getDistributionManager().getCacheTopology().getTopologyId();
        Map<Object, Map<Address, Object>> keys = new HashMap<>();
        ConflictManagerFactory.get(cache).getConflicts().forEach(replicas -> {
            Map<Address, Object> values = new HashMap<>();
            Object key = null;
            for (Map.Entry<Address, CacheEntry<Object, Object>> replica : replicas.entrySet()) {
                key = key != null ? key : replica.getValue().getKey();
                values.put(replica.getKey(), replica.getValue().getValue());
            }
            if (key != null) {
                keys.put(key, values);
            }
        });
        return cache.getDistributionManager().getCacheTopology().getTopologyId() == topology ? keys : null;
    }

    /**
     * Resolves the entries that differed the same way at both looks, each with its cache's merge policy (the primary
     * copy preferred), written only if the copy the write is judged against is still the one seen: a write made since wins.
     */
    private void resolve(Look before, Look now) {
        for (AdvancedCache<Object, Object> cache : merged(cluster)) {
            int[] counts = resolveUnchanged(
                    cache,
                    before.differing().getOrDefault(cache.getName(), Map.of()),
                    now.differing().getOrDefault(cache.getName(), Map.of()));
            if (counts[0] > 0) {
                LOG.warning(() -> "NOVA-1021 " + counts[0] + " entries of cache " + cache.getName()
                        + " still differed between members after the merge: resolved with its merge policy");
            }
            if (counts[1] > 0) {
                LOG.info(() -> "NOVA-1025 " + counts[1] + " differing entries of cache " + cache.getName()
                        + " were not written (changed since the look, or nothing to write); looked at again");
            }
        }
    }

    /** Resolves one cache's entries that differed alike at two looks: {written, not written (changed since)}. */
    static int[] resolveUnchanged(
            AdvancedCache<Object, Object> cache,
            Map<Object, Map<Address, Object>> was,
            Map<Object, Map<Address, Object>> is) {
        @SuppressWarnings("unchecked")
        EntryMergePolicy<Object, Object> policy = (EntryMergePolicy<Object, Object>)
                cache.getCacheConfiguration().clustering().partitionHandling().mergePolicy();
        Address self = cache.getRpcManager().getAddress();
        int[] counts = new int[2];
        for (Map.Entry<Object, Map<Address, Object>> entry : is.entrySet()) {
            if (!entry.getValue().equals(was.get(entry.getKey()))) {
                continue; // still moving: a write in flight, not a leftover
            }
            Address primary = cache.getDistributionManager()
                    .getCacheTopology()
                    .getDistribution(entry.getKey())
                    .primary();
            try {
                counts[resolve(cache, policy, primary, self, entry.getKey(), entry.getValue()) ? 0 : 1]++;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "NOVA-1022 could not resolve " + entry.getKey() + " in " + cache.getName(), e);
            }
        }
        return counts;
    }

    /**
     * Resolves one entry whose replicas differ: the cache's merge policy picks among the copies, the primary's
     * preferred, and the result is written to every replica. The write is conditional on the copy it is judged against
     * being the one the look saw: in a replicated transactional cache that is the copy of the node that writes (not the
     * primary's), in a non-transactional one the primary's; a write made meanwhile has reached either, so that write
     * wins. Returns whether it wrote; false when the copy had changed (or the policy kept nothing where this copy has
     * nothing either).
     */
    static boolean resolve(
            Cache<Object, Object> cache,
            EntryMergePolicy<Object, Object> policy,
            Address primary,
            Address self,
            Object key,
            Map<Address, Object> replicas) {
        // As Infinispan's own resolution calls a policy: no preferred entry (null) when the primary has none, and
        // only the copies that exist among the others (a "null" entry would be preferred as if it were a value).
        Object atPrimary = replicas.get(primary);
        CacheEntry<Object, Object> preferred = atPrimary == null ? null : new ImmortalCacheEntry(key, atPrimary);
        List<CacheEntry<Object, Object>> others = new ArrayList<>();
        replicas.forEach((member, value) -> {
            if (!Objects.equals(member, primary) && value != null) {
                others.add(new ImmortalCacheEntry(key, value));
            }
        });
        CacheEntry<Object, Object> merged = policy.merge(preferred, others);
        Object value = merged == null ? null : merged.getValue();
        // Where the condition is judged: a transactional cache reads this node's copy, a non-transactional one sends
        // the
        // write to the primary, which compares with its own.
        Object expected =
                cache.getCacheConfiguration().transaction().transactionMode().isTransactional()
                        ? replicas.get(self)
                        : atPrimary;
        if (expected == null) {
            return value != null && cache.putIfAbsent(key, value) == null;
        }
        return value == null ? cache.remove(key, expected) : cache.replace(key, expected, value);
    }
}
