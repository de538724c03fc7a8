package dev.nova.stream;

import dev.nova.cluster.CacheDeclaration;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.ClusterSettings;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.concurrency.SerialExecutor;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryModifiedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;

/**
 * Which nodes have stream consumers for which channel, so that the owner of a client sends a channel's messages to
 * those nodes only. Each node states its own interest in the replicated {@code interests} cache (key
 * {@code channel|node}) and keeps an index of everyone's, fed by a cache listener.
 */
@ApplicationScoped
public class Interests {

    /** Stream interest: key {@code channel|node}, value the node name. */
    public static final String CACHE = "interests";

    private final ClusterRuntime cluster;
    private final NovaExecutors executors;
    /** Nodes by channel; the forwarder reads it for every message. */
    private final ConcurrentHashMap<String, Set<String>> index = new ConcurrentHashMap<>();

    private SerialExecutor lane;
    private String self;

    @Inject
    public Interests(ClusterRuntime cluster, NovaExecutors executors) {
        this.cluster = cluster;
        this.executors = executors;
    }

    protected Interests() {
        this(null, null);
    }

    @Produces
    static CacheDeclaration declaration(ClusterSettings cluster) {
        return CacheDeclaration.replicated(CACHE, cluster.enabled(), null);
    }

    @PostConstruct
    void start() {
        lane = new SerialExecutor(executors.control(), "interest");
        self = cluster.identity().name();
        if (cluster.clustered()) {
            cache().addListener(new IndexListener());
            cache().keySet().forEach(this::indexAdd);
        }
    }

    private Cache<String, String> cache() {
        return cluster.cache(CACHE);
    }

    /** The index itself (nodes by channel), for the forwarder to read without a proxy per message. */
    Map<String, Set<String>> index() {
        return index;
    }

    /**
     * Says this node's interest in a channel may have changed; {@code wanted} is asked on a lane of its own when the
     * change is applied, so racing opens and closes of streams always leave the latest truth in the cluster. The
     * stage completes once every member knows (a failed write completes it too: nothing waits on it for long).
     */
    public CompletableFuture<Void> update(String channel, BooleanSupplier wanted) {
        if (!cluster.clustered()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> applied = new CompletableFuture<>();
        lane.execute(() -> {
            try {
                String key = channel + "|" + self;
                if (wanted.getAsBoolean()) {
                    cache().putIfAbsent(key, self);
                } else {
                    cache().remove(key);
                }
            } finally {
                applied.complete(null);
            }
        });
        return applied;
    }

    /**
     * States this node's interests again once a merge has settled, with writes that reach every member's index: the
     * other side's coordinator may have removed them while the sides were apart, and the merge puts entries back
     * without telling any index (a {@code putIfAbsent} would then find its own copy and write nothing). Interests this
     * node no longer has go; then the index is rebuilt from the merged cache.
     */
    public void restate(Set<String> channels, Predicate<String> wanted) {
        if (!cluster.clustered()) {
            return;
        }
        lane.execute(() -> {
            String suffix = "|" + self;
            cache().keySet().stream()
                    .filter(key -> key.endsWith(suffix))
                    .filter(key -> !wanted.test(key.substring(0, key.length() - suffix.length())))
                    .toList()
                    .forEach(key -> cache().remove(key));
            for (String channel : channels) {
                if (wanted.test(channel)) {
                    cache().put(channel + suffix, self);
                }
            }
            reindex();
        });
    }

    /**
     * Removes the interest of members that left, on the coordinator (one node does it for all): an owner would only
     * send into the void.
     */
    void forgetIfCoordinator(Collection<String> nodes) {
        if (!cluster.clustered() || nodes.isEmpty() || !cluster.isCoordinator()) {
            return;
        }
        lane.execute(() -> cache().keySet().stream()
                .filter(key -> nodes.contains(key.substring(key.lastIndexOf('|') + 1)))
                .toList()
                .forEach(key -> cache().remove(key)));
    }

    /**
     * Rebuilds the index from the cache. Entries a partition merge put back never raise notifications, so the
     * periodic consistency pass calls this.
     */
    public synchronized void reindex() {
        if (!cluster.clustered()) {
            return;
        }
        Map<String, Set<String>> fresh = new HashMap<>();
        for (String key : cache().keySet()) {
            int bar = key.lastIndexOf('|');
            if (bar > 0) {
                fresh.computeIfAbsent(key.substring(0, bar), c -> ConcurrentHashMap.newKeySet())
                        .add(key.substring(bar + 1));
            }
        }
        index.keySet().retainAll(fresh.keySet());
        index.putAll(fresh);
    }

    /** Nodes interested in each channel, for diagnostics. */
    public Map<String, Set<String>> snapshot() {
        Map<String, Set<String>> copy = new HashMap<>();
        index.forEach((channel, nodes) -> copy.put(channel, Set.copyOf(nodes)));
        return copy;
    }

    private synchronized void indexAdd(String key) {
        int bar = key.lastIndexOf('|');
        if (bar > 0) {
            index.compute(key.substring(0, bar), (c, nodes) -> {
                Set<String> copy = nodes == null ? ConcurrentHashMap.newKeySet() : nodes;
                copy.add(key.substring(bar + 1));
                return copy;
            });
        }
    }

    private synchronized void indexRemove(String key) {
        int bar = key.lastIndexOf('|');
        if (bar > 0) {
            index.computeIfPresent(key.substring(0, bar), (c, nodes) -> {
                nodes.remove(key.substring(bar + 1));
                return nodes.isEmpty() ? null : nodes;
            });
        }
    }

    /** Keeps the index in step with the replicated cache. */
    @Listener(sync = true)
    public final class IndexListener {

        @CacheEntryCreated
        public void created(CacheEntryCreatedEvent<String, String> event) {
            if (!event.isPre()) {
                indexAdd(event.getKey());
            }
        }

        /** A restated interest (a write over an entry a merge put back). */
        @CacheEntryModified
        public void modified(CacheEntryModifiedEvent<String, String> event) {
            if (!event.isPre()) {
                indexAdd(event.getKey());
            }
        }

        @CacheEntryRemoved
        public void removed(CacheEntryRemovedEvent<String, String> event) {
            if (!event.isPre()) {
                indexRemove(event.getKey());
            }
        }
    }
}
