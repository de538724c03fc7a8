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
 * each side's bucket first refilled to the same instant. Credits spent on either side during the split stay spent
 * (an exchange counts every request it received, whichever node sent it); a side that spent nothing never hands
 * back what the other spent. A bucket only one side has is kept.
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

    /** Tokens left in a bucket at {@code now}; a missing bucket counts as the most (it spent nothing). */
    static long remaining(CacheEntry<String, byte[]> entry, long now) {
        if (entry == null || entry.getValue() == null) {
            return Long.MAX_VALUE;
        }
        RemoteBucketState state =
                InternalSerializationHelper.deserializeState(entry.getValue()).copy();
        state.refillAllBandwidth(now);
        return state.getAvailableTokens();
    }
}
