package dev.nova.cluster;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.protostream.SerializationContextInitializer;

/** The caches a node defines: the cluster's own and the features' ({@link CacheDeclaration}), as configured. */
final class ClusterCaches {

    private ClusterCaches() {}

    /**
     * Every cache to define, in order: the cluster's own ({@code nodes}, {@code probes}, {@code tombstones}), the
     * declared ones, the backups of the bridged clusters ({@link CrossSite}); the persistent ones with their stores,
     * and this node's own {@code node-state} when the cluster's records are kept on disk ({@link Remembered}).
     */
    static Map<String, CacheDeclaration> all(
            ClusterSettings settings, DataSettings data, Iterable<CacheDeclaration> declared) {
        Map<String, CacheDeclaration> caches = new LinkedHashMap<>();
        boolean clustered = settings.enabled();
        caches.put(
                ClusterRuntime.NODES,
                CacheDeclaration.replicated(ClusterRuntime.NODES, clustered, new ClusterSchemaImpl())
                        .asRecords());
        // Kept on disk like the records, so that the sync lag it measures is a record's (a store write included).
        caches.put(
                ClusterRuntime.PROBES,
                CacheDeclaration.replicated(ClusterRuntime.PROBES, clustered, null)
                        .asPersistent());
        caches.put(
                ClusterRuntime.TOMBSTONES,
                new CacheDeclaration(
                                ClusterRuntime.TOMBSTONES,
                                Transactions.transactional(CacheDeclaration.replicated(clustered))
                                        .expiration()
                                        .lifespan(Tombstones.LIFESPAN_HOURS, TimeUnit.HOURS)
                                        .build(),
                                new ClusterSchemaImpl(),
                                true)
                        .asPersistent());
        for (CacheDeclaration declaration : declared) {
            if (caches.putIfAbsent(declaration.name(), declaration) != null) {
                throw new IllegalStateException("NOVA-1005 cache " + declaration.name() + " is declared twice");
            }
        }
        Map<String, CacheDeclaration> all = Remembered.persisted(CrossSite.expand(caches, settings.bridge()), data);
        if (clustered && data.persistent()) {
            all.put(ClusterRuntime.NODE_STATE, Remembered.declaration(data));
        }
        return all;
    }

    /** Registers the ProtoStream schema of every cache's values, each once. */
    static void schemas(GlobalConfigurationBuilder global, Collection<CacheDeclaration> caches) {
        Set<Class<?>> schemas = new HashSet<>();
        for (CacheDeclaration cache : caches) {
            SerializationContextInitializer schema = cache.schema();
            if (schema != null && schemas.add(schema.getClass())) {
                global.serialization().addContextInitializer(schema);
            }
        }
    }
}
