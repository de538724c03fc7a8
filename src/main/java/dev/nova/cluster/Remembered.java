package dev.nova.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.configuration.cache.ConfigurationBuilder;

/**
 * What a node keeps on disk under {@code nova.cluster.data-dir} ({@link DataSettings}), all of it in Infinispan's
 * soft-index file stores: the persistent caches of the cluster's records, each in a store of its own that is preloaded
 * when the cache starts, and, in a local cache that is never replicated, the reference membership quorum was last
 * judged against on this node. A node that starts with a remembered reference judges quorum against it
 * ({@link ViewHistory#restore}). A node that leaves on purpose remembers the members it leaves behind, not itself:
 * they carry on and may change the records meanwhile, so when it starts again it needs a quorum of them.
 */
final class Remembered {

    /** The key of the remembered reference: member names, oldest first, separated by commas. */
    static final String REFERENCE = "reference";

    private static final Logger LOG = Logger.getLogger(Remembered.class.getName());

    private final Cache<String, String> cache;
    private final String self;
    private List<String> kept;
    /** Set once this node remembered what it leaves behind: a look at the view queued before must not undo it. */
    private boolean left;

    Remembered(Cache<String, String> cache, String self) {
        this.cache = cache;
        this.self = self;
        this.kept = reference().orElse(List.of());
    }

    /**
     * Reads what this node remembered in its previous run and, when it remembers a reference, has quorum judged
     * against it ({@link ViewHistory#restore}), before this node's first view.
     */
    static Remembered restore(Cache<String, String> cache, String self, ViewHistory views, DataSettings data) {
        Remembered remembered = new Remembered(cache, self);
        remembered.reference().ifPresent(reference -> {
            views.restore(reference);
            LOG.info(() -> "NOVA-1045 node " + self + " starts with the records kept in " + data.directory()
                    + ": quorum is judged against its last membership " + reference + "; it runs nothing until a"
                    + " quorum of them is in its view, and its records settle with theirs first");
        });
        return remembered;
    }

    /** The reference membership this node remembered from its previous run, if it ran before with this directory. */
    Optional<List<String>> reference() {
        String value = cache.get(REFERENCE);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(List.copyOf(Arrays.asList(value.split(","))));
    }

    /** Remembers the reference quorum is judged against now, when it changed (on the view lane). */
    void keep(List<String> reference) {
        write(reference, false);
    }

    private synchronized void write(List<String> reference, boolean leaving) {
        if (left && !leaving) {
            return;
        }
        left |= leaving;
        if (!reference.isEmpty() && !reference.equals(kept)) {
            cache.put(REFERENCE, String.join(",", reference));
            kept = List.copyOf(reference);
        }
    }

    /**
     * This node stops on purpose: it remembers the members it leaves behind (itself when it is the last), whose
     * records will be newer than its own.
     */
    void leaving(List<String> reference) {
        List<String> others = new ArrayList<>(reference);
        others.remove(self);
        write(others.isEmpty() ? List.of(self) : others, true);
    }

    /** The declarations with the persistent ones given a store under the data directory; unchanged without one. */
    static Map<String, CacheDeclaration> persisted(Map<String, CacheDeclaration> declared, DataSettings data) {
        Map<String, CacheDeclaration> all = new LinkedHashMap<>();
        declared.forEach((name, cache) -> all.put(
                name,
                cache.persistent() && data.persistent()
                        ? cache.with(stored(cache.configuration(), data.of(name)))
                        : cache));
        return all;
    }

    /** This node's own local cache of what it remembers, kept on disk. */
    static CacheDeclaration declaration(DataSettings data) {
        ConfigurationBuilder local = new ConfigurationBuilder();
        local.clustering().cacheMode(CacheMode.LOCAL);
        return new CacheDeclaration(
                ClusterRuntime.NODE_STATE,
                stored(local.build(), data.of(ClusterRuntime.NODE_STATE)),
                null,
                false,
                false,
                true);
    }

    /**
     * The configuration with a soft-index file store in {@code directory}, preloaded at start. Not shared (every
     * member has its own copy) and not purged at start: a node that restarts finds its records, and when it joins
     * members that run, theirs are transferred to it over its own (Infinispan's state transfer), and the records only
     * it kept are merged with theirs ({@link Settling}).
     */
    static Configuration stored(Configuration configuration, Path directory) {
        ConfigurationBuilder builder = new ConfigurationBuilder().read(configuration);
        builder.persistence()
                .passivation(false)
                .addSoftIndexFileStore()
                .dataLocation(directory.resolve("data").toString())
                .indexLocation(directory.resolve("index").toString())
                .preload(true)
                .shared(false)
                .purgeOnStartup(false);
        return builder.build();
    }
}
