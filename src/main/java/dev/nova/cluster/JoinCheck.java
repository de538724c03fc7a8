package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.infinispan.AdvancedCache;
import org.infinispan.remoting.transport.Address;

/**
 * After members join (not a merge: that is {@link Settling}'s), the coordinator compares the replicas of the record
 * caches once the caches' topologies count the new members, and resolves what differs the same way at two looks a
 * second apart with the cache's merge policy (a conditional write: a write made since wins), as {@link Settling} does
 * after a merge. Nobody waits for it. A transaction that commits while a member joins can miss the joiner: its prepare
 * went to the members of the topology before the join, and the state the joiner received was read before the commit
 * reached memory. Seen once in a test, with the records on disk ({@link DataSettings}: the store write sits between
 * the two); the joiner's copy would otherwise stay without the entry until something rewrote it.
 */
@ApplicationScoped
public class JoinCheck {

    /** How long the check waits for the caches to count the new members. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private static final Duration APART = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(JoinCheck.class.getName());

    private final ClusterRuntime cluster;
    private final NovaExecutors executors;
    /** Counts the joins: a check of an earlier one gives way to the latest. */
    private final AtomicLong joins = new AtomicLong();

    private ScheduledExecutorService checks;

    @Inject
    public JoinCheck(ClusterRuntime cluster, NovaExecutors executors) {
        this.cluster = cluster;
        this.executors = executors;
    }

    protected JoinCheck() {
        this(null, null);
    }

    @PostConstruct
    void start() {
        checks = executors.dedicated("nova-join-check");
    }

    /** A new view: when members joined it and this node coordinates a side with quorum, a check begins. */
    public void viewChanged(MembershipChanged change) {
        if (change.merge() || change.joined().isEmpty() || !change.view().quorum() || !cluster.isCoordinator()) {
            return;
        }
        long join = joins.incrementAndGet();
        long since = System.currentTimeMillis();
        checks.schedule(
                () -> look(join, since, change.joined(), null), Settling.POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void look(
            long join, long since, List<String> joined, Map<String, Map<Object, Map<Address, Object>>> before) {
        if (join != joins.get() || !cluster.isCoordinator()) {
            return;
        }
        try {
            List<String> members = cluster.members();
            boolean moving = cluster.recordCaches().stream().anyMatch(name -> !cluster.settled(name, members));
            if (moving) {
                if (System.currentTimeMillis() - since < PATIENCE.toMillis()) {
                    checks.schedule(
                            () -> look(join, since, joined, before), Settling.POLL.toMillis(), TimeUnit.MILLISECONDS);
                }
                return;
            }
            Map<String, Map<Object, Map<Address, Object>>> now = new HashMap<>();
            for (AdvancedCache<Object, Object> cache : Settling.merged(cluster)) {
                Map<Object, Map<Address, Object>> differing = Settling.compare(cache);
                if (differing != null && !differing.isEmpty()) {
                    now.put(cache.getName(), differing);
                }
            }
            if (now.isEmpty()) {
                return;
            }
            if (before == null) {
                checks.schedule(() -> look(join, since, joined, now), APART.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            resolve(joined, before, now);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "the replicas could not be compared after " + joined + " joined", e);
        }
    }

    /** Resolves the entries that differed the same way at both looks, with their cache's merge policy. */
    private void resolve(
            List<String> joined,
            Map<String, Map<Object, Map<Address, Object>>> before,
            Map<String, Map<Object, Map<Address, Object>>> now) {
        for (AdvancedCache<Object, Object> cache : Settling.merged(cluster)) {
            int[] counts = Settling.resolveUnchanged(
                    cache, before.getOrDefault(cache.getName(), Map.of()), now.getOrDefault(cache.getName(), Map.of()));
            if (counts[0] > 0) {
                LOG.warning(() -> "NOVA-1046 " + counts[0] + " entries of cache " + cache.getName()
                        + " differed between members after " + joined + " joined: resolved with its merge policy");
            }
        }
    }
}
