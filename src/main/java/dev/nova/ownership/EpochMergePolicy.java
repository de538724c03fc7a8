package dev.nova.ownership;

import dev.nova.model.ClientRecord;
import java.util.List;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.container.entries.CacheEntry;

/**
 * Resolves a client record that both sides of a healed partition changed: the record with the highest epoch wins
 * (the latest decision of an owner), then the most recent state change. The side whose record lost sees a newer
 * epoch than the one it runs and closes its sessions.
 */
public final class EpochMergePolicy implements EntryMergePolicy<String, ClientRecord> {

    @Override
    public CacheEntry<String, ClientRecord> merge(
            CacheEntry<String, ClientRecord> preferred, List<CacheEntry<String, ClientRecord>> others) {
        CacheEntry<String, ClientRecord> winner = preferred;
        for (CacheEntry<String, ClientRecord> other : others) {
            if (newer(other, winner)) {
                winner = other;
            }
        }
        return winner;
    }

    private static boolean newer(CacheEntry<String, ClientRecord> candidate, CacheEntry<String, ClientRecord> best) {
        if (candidate == null || candidate.getValue() == null) {
            return false;
        }
        if (best == null || best.getValue() == null) {
            return true;
        }
        ClientRecord a = candidate.getValue();
        ClientRecord b = best.getValue();
        if (a.epoch() != b.epoch()) {
            return a.epoch() > b.epoch();
        }
        return a.stateChangedAt() > b.stateChangedAt();
    }
}
