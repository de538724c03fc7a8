package dev.nova.cluster;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;

/**
 * Each cache's topology id at the latest merge view, which a settled topology must exceed. A node that was hung
 * through the split still has the topology from before it (naming every member, no rebalance): it looks settled, but
 * its records are its own side's until the coordinator's recovery after the merge has installed a newer topology.
 */
final class MergeTopologies {

    private static final Logger LOG = Logger.getLogger(MergeTopologies.class.getName());

    private final Map<String, Integer> atMerge = new ConcurrentHashMap<>();

    /** Whether {@code topologyId} of cache {@code name} is newer than the one it had at the latest merge. */
    boolean newer(String name, int topologyId) {
        return topologyId > atMerge.getOrDefault(name, -1);
    }

    /** The topology id cache {@code name} had at the latest merge, -1 when none was noted. */
    int at(String name) {
        return atMerge.getOrDefault(name, -1);
    }

    /**
     * The listener that notes the ids on the thread that installs a merge view, before the coordinator's recovery can
     * have installed a newer one. Synchronous; it only reads the topologies of running caches.
     */
    Object listener(Supplier<EmbeddedCacheManager> manager, Collection<String> caches) {
        return new Mark(manager, caches);
    }

    @Listener(sync = true)
    public final class Mark {
        private final Supplier<EmbeddedCacheManager> manager;
        private final Collection<String> caches;

        Mark(Supplier<EmbeddedCacheManager> manager, Collection<String> caches) {
            this.manager = manager;
            this.caches = caches;
        }

        @Merged
        public void merged(MergeEvent event) {
            EmbeddedCacheManager caches = manager.get();
            for (String name : this.caches) {
                try {
                    if (!caches.isRunning(name)) {
                        continue;
                    }
                    DistributionManager distribution =
                            caches.getCache(name).getAdvancedCache().getDistributionManager();
                    if (distribution != null && distribution.getCacheTopology() != null) {
                        atMerge.put(name, distribution.getCacheTopology().getTopologyId());
                    }
                } catch (RuntimeException e) {
                    LOG.fine(() -> "no topology noted for " + name + " at the merge: " + e);
                }
            }
        }
    }
}
