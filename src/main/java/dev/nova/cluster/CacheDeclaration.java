package dev.nova.cluster;

import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.protostream.SerializationContextInitializer;

/**
 * A cache a feature keeps its part of the cluster's state in, declared by that feature with a CDI producer method.
 * {@link ClusterRuntime} defines and starts every declared cache before the node serves anything, so a joining node
 * has received the others' state by then.
 *
 * @param schema the ProtoStream schema of the cached values, or null when they are JDK types
 * @param records whether nodes act on the entries (start clients, decide failovers): after a merge, {@link Settling}
 *     waits until no entry's replicas differ between the members before anyone does. Caches of counters written all
 *     the time (budgets) are not: their replicas differ for a moment at every write.
 * @param bridged whether the cache is backed up to the bridged clusters ({@link CrossSite}), each of which keeps it
 *     apart from its own, in a cache of its own per cluster
 * @param persistent whether the cache is kept on disk too, under {@code nova.cluster.data-dir} ({@link DataSettings}):
 *     a full-cluster restart finds its entries again
 */
public record CacheDeclaration(
        String name,
        Configuration configuration,
        SerializationContextInitializer schema,
        boolean records,
        boolean bridged,
        boolean persistent) {

    public CacheDeclaration(String name, Configuration configuration, SerializationContextInitializer schema) {
        this(name, configuration, schema, false, false, false);
    }

    public CacheDeclaration(
            String name, Configuration configuration, SerializationContextInitializer schema, boolean records) {
        this(name, configuration, schema, records, false, false);
    }

    /** The same declaration, of a cache whose entries nodes act on. */
    public CacheDeclaration asRecords() {
        return new CacheDeclaration(name, configuration, schema, true, bridged, persistent);
    }

    /** The same declaration, of a cache backed up to the bridged clusters (when there are any). */
    public CacheDeclaration asBridged() {
        return new CacheDeclaration(name, configuration, schema, records, true, persistent);
    }

    /** The same declaration, of a cache kept on disk too (when a data directory is configured). */
    public CacheDeclaration asPersistent() {
        return new CacheDeclaration(name, configuration, schema, records, bridged, true);
    }

    /** The same declaration with another configuration (the same cache refined: persistence, a bridge). */
    CacheDeclaration with(Configuration refined) {
        return new CacheDeclaration(name, refined, schema, records, bridged, persistent);
    }

    /**
     * Segments of a replicated cache. Every member holds every segment, so they only cut the work of a state transfer
     * or a replica comparison into pieces, one round trip each. With Infinispan's default of 256, comparing the
     * replicas of one cache of 300 entries between two members on loopback took 130 ms (median; 16 segments: 8 ms),
     * and {@link Settling} compares every record cache, again and again, while a merge settles.
     */
    static final int SEGMENTS = 16;

    /** A cache replicated synchronously to every member, or a local one when {@code clustered} is false. */
    public static CacheDeclaration replicated(String name, boolean clustered, SerializationContextInitializer schema) {
        return new CacheDeclaration(name, replicated(clustered).build(), schema);
    }

    /**
     * The settings of a replicated cache, for a feature to refine: synchronous replication to every member, the
     * state received before the cache starts; after a split both sides may have written, and on merge whatever
     * exists on either side is kept. Local when {@code clustered} is false.
     */
    public static ConfigurationBuilder replicated(boolean clustered) {
        ConfigurationBuilder builder = new ConfigurationBuilder();
        if (!clustered) {
            builder.clustering().cacheMode(CacheMode.LOCAL);
            return builder;
        }
        builder.clustering()
                .cacheMode(CacheMode.REPL_SYNC)
                .hash()
                .numSegments(SEGMENTS)
                .stateTransfer()
                .awaitInitialTransfer(true)
                .timeout(60_000);
        builder.clustering()
                .partitionHandling()
                .whenSplit(PartitionHandling.ALLOW_READ_WRITES)
                .mergePolicy(MergePolicy.PREFERRED_NON_NULL);
        return builder;
    }
}
