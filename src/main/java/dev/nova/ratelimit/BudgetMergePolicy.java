package dev.nova.ratelimit;

import io.github.bucket4j.distributed.remote.RemoteBucketState;
import io.github.bucket4j.distributed.serialization.InternalSerializationHelper;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.container.entries.CacheEntry;

/**
 * Resolves a shared budget that both sides of a healed partition hold: the side with the fewest tokens left wins,
 * each side's bucket first refilled to the same instant. What the side that spent more spent stays spent: a side that
 * spent less (a paused one spends nothing) never hands credits back. What the other side spent during the split is
 * not added (an exchange counts both; with pause_minority only one side sends, and the safety margin covers the
 * rest). A bucket only one side has is kept; one that cannot be read counts as full, so the other side's wins.
 */
public final class BudgetMergePolicy implements EntryMergePolicy<String, byte[]> {

    private final LongSupplier nanoClock;

    public BudgetMergePolicy() {
        // The clock the buckets run on (InfinispanBuckets: the wall clock in milliseconds, as nanoseconds).
        this(() -> TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()));
    }

    BudgetMergePolicy(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public CacheEntry<String, byte[]> merge(
            CacheEntry<String, byte[]> preferred, List<CacheEntry<String, byte[]>> others) {
        long now = nanoClock.getAsLong();
        CacheEntry<String, byte[]> lowest = preferred;
        long lowestTokens = remaining(preferred, now);
        for (CacheEntry<String, byte[]> other : others) {
            long tokens = remaining(other, now);
            if (tokens < lowestTokens) {
                lowest = other;
                lowestTokens = tokens;
            }
        }
        return lowest;
    }

    /** Tokens left in a bucket at {@code now}; a missing or unreadable bucket counts as the most. */
    static long remaining(CacheEntry<String, byte[]> entry, long now) {
        if (entry == null || entry.getValue() == null) {
            return Long.MAX_VALUE;
        }
        try {
            RemoteBucketState state = InternalSerializationHelper.deserializeState(entry.getValue())
                    .copy();
            state.refillAllBandwidth(now);
            return state.getAvailableTokens();
        } catch (RuntimeException unreadable) {
            return Long.MAX_VALUE;
        }
    }
}
