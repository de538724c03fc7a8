package dev.nova.ownership;

import dev.nova.model.ClientRecord;
import java.util.List;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.container.entries.CacheEntry;

/**
 * Resolves a client record that both sides of a healed partition changed: the record with the highest epoch wins
 * (the latest decision of an owner), then the most recent state change. The side whose record lost sees a newer
 * epoch than the one it runs and closes its sessions. The operator's intent (stop, restart) is merged on its own:
 * the one with the highest {@link ClientRecord#intentVersion()} is kept on the winning record, so a stop given on one
 * side is not lost to an owner's state change on the other (equal epochs) nor to a failover (a higher epoch).
 */
public final class EpochMergePolicy implements EntryMergePolicy<String, ClientRecord> {

    @Override
    public CacheEntry<String, ClientRecord> merge(
            CacheEntry<String, ClientRecord> preferred, List<CacheEntry<String, ClientRecord>> others) {
        CacheEntry<String, ClientRecord> winner = preferred;
        CacheEntry<String, ClientRecord> intent = preferred;
        for (CacheEntry<String, ClientRecord> other : others) {
            if (newer(other, winner)) {
                winner = other;
            }
            if (laterIntent(other, intent)) {
                intent = other;
            }
        }
        if (winner == null
                || winner.getValue() == null
                || intent.getValue().createdAt() != winner.getValue().createdAt()
                || intent.getValue().intentVersion() <= winner.getValue().intentVersion()) {
            // (An intent given to another incarnation of the name, deleted and created again, is not this one's.)
            return winner;
        }
        CacheEntry<String, ClientRecord> merged = winner.clone();
        merged.setValue(winner.getValue().withIntentOf(intent.getValue()));
        return merged;
    }

    private static boolean laterIntent(
            CacheEntry<String, ClientRecord> candidate, CacheEntry<String, ClientRecord> best) {
        if (candidate == null || candidate.getValue() == null) {
            return false;
        }
        return best == null
                || best.getValue() == null
                || candidate.getValue().intentVersion() > best.getValue().intentVersion();
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
