package dev.nova.cluster;

import org.infinispan.Cache;
import org.infinispan.context.Flag;

/**
 * Whole-cache reads of a replicated (or local) cache from this node's own copy. A replicated cache's {@code
 * values().stream()} goes through Infinispan's cluster publisher (segment by segment, whatever the cache mode): measured
 * at 100,000 subscriptions, listing one client's channels that way took long enough that 1,000 clients' reconcile
 * passes held new clients' connects for minutes. Every member of a replicated cache holds every entry once its
 * cache has started (the start waits for the initial state transfer), and single-entry reads are local anyway, so a
 * local scan sees what a {@code get} on this node sees. Only for caches declared replicated or local; never for a
 * distributed one.
 */
public final class LocalReads {

    private LocalReads() {}

    /** The same cache, read from this node's copy only. */
    public static <K, V> Cache<K, V> of(Cache<K, V> replicated) {
        return replicated.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL);
    }
}
