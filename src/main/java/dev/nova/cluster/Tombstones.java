package dev.nova.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;

/**
 * Deletes that survive a merge. Infinispan's merge policies keep what either side has, so a record deleted on one
 * side of a partition comes back from the other when they merge. A feature that deletes a record buries it first: a
 * tombstone, replicated like the records and kept for {@link #LIFESPAN_HOURS} hours, names the deleted incarnation
 * (by its creation time), readers treat that incarnation as absent, and a sweep after a merge removes it again. A
 * record created anew under the same key is a new incarnation and is not hidden.
 */
@ApplicationScoped
public class Tombstones {

    /** How long a delete is remembered: a partition healing later than this may bring the record back. */
    public static final long LIFESPAN_HOURS = 24;

    private final ClusterRuntime cluster;

    @Inject
    public Tombstones(ClusterRuntime cluster) {
        this.cluster = cluster;
    }

    protected Tombstones() {
        this(null);
    }

    private Cache<String, Tombstone> cache() {
        return cluster.cache(ClusterRuntime.TOMBSTONES);
    }

    /** Records that the incarnation of {@code kind}/{@code key} created at {@code createdAt} is deleted. */
    public void bury(String kind, String key, long createdAt) {
        cache().put(
                        kind + ":" + key,
                        new Tombstone(createdAt, System.currentTimeMillis()),
                        LIFESPAN_HOURS,
                        TimeUnit.HOURS);
    }

    /** Whether this incarnation of {@code kind}/{@code key} was deleted. */
    public boolean buried(String kind, String key, long createdAt) {
        Tombstone tombstone = cache().get(kind + ":" + key);
        return tombstone != null && tombstone.createdAt() == createdAt;
    }
}
