package dev.nova.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import org.infinispan.configuration.cache.BackupConfiguration;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.cache.XSiteStateTransferMode;

/**
 * The caches of a bridged cluster, in Infinispan's cross-site terms. A bridged cache ({@link
 * CacheDeclaration#bridged()}) is backed up asynchronously to every bridged cluster (IRAC: the write commits here and
 * is sent on, and retried while the other cluster is unreachable), and its whole content is pushed to a cluster whose
 * bridge comes up (automatic cross-site state transfer): a cluster that restarted gets the others' entries back
 * without waiting for new writes.
 *
 * <p>Each cluster receives another's cache in a cache of its own, {@code <cache>@<cluster>} ({@code backupFor}), never
 * in its own {@code <cache>}: nothing this cluster does to its own entries (the consistency pass, sweeps of buried
 * records, deletes) touches another cluster's, and a received entry is never sent on (the backup caches back up to no
 * one). So no cache is written by two clusters and no write conflicts across clusters: a cluster's own writes always
 * win, in the order it made them. A delete crosses as a removal; until every cluster has it, Infinispan keeps a
 * tombstone of the key, so an older write still on its way does not bring the entry back.
 */
public final class CrossSite {

    /**
     * A cluster that backups have been failing to for this long (and at least {@link #TAKE_OFFLINE_AFTER_FAILURES}
     * times) is taken offline: no more retries until its bridge comes back, when the whole content is pushed to it
     * again. Until then every change, deletes included, is retried (Infinispan backs off up to 5 minutes between
     * tries) and its tombstone kept, so a short outage loses nothing; a delete made during a longer one is not pushed
     * (the push carries what exists), and the other cluster keeps that subscription (README).
     */
    static final long TAKE_OFFLINE_AFTER_MS = 5 * 60_000;

    /** See {@link #TAKE_OFFLINE_AFTER_MS}. */
    static final int TAKE_OFFLINE_AFTER_FAILURES = 3;

    private CrossSite() {}

    /** The cache that holds, in this cluster, what {@code cluster} keeps in its cache {@code cache}. */
    public static String backupName(String cache, String cluster) {
        return cache + "@" + cluster;
    }

    /**
     * The caches to define: the declared ones, the bridged among them backed up to every bridged cluster, and one
     * cache per bridged cluster for each of those (replicated here, not transactional, written only by the bridge).
     */
    static Map<String, CacheDeclaration> expand(Map<String, CacheDeclaration> declared, BridgeSettings bridge) {
        if (bridge == null) {
            return declared;
        }
        Map<String, CacheDeclaration> all = new LinkedHashMap<>();
        for (CacheDeclaration cache : declared.values()) {
            if (!cache.bridged()) {
                all.put(cache.name(), cache);
                continue;
            }
            ConfigurationBuilder builder = new ConfigurationBuilder().read(cache.configuration());
            for (String cluster : bridge.clusters()) {
                builder.sites()
                        .addBackup()
                        .site(cluster)
                        .strategy(BackupConfiguration.BackupStrategy.ASYNC)
                        .takeOffline()
                        .afterFailures(TAKE_OFFLINE_AFTER_FAILURES)
                        .minTimeToWait(TAKE_OFFLINE_AFTER_MS)
                        .backup()
                        .stateTransfer()
                        .mode(XSiteStateTransferMode.AUTO);
            }
            all.put(cache.name(), cache.with(builder.build()));
            for (String cluster : bridge.clusters()) {
                ConfigurationBuilder backup = CacheDeclaration.replicated(true);
                backup.sites().backupFor().remoteCache(cache.name()).remoteSite(cluster);
                String name = backupName(cache.name(), cluster);
                all.put(name, new CacheDeclaration(name, backup.build(), cache.schema()));
            }
        }
        return all;
    }
}
