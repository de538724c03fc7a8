package dev.nova.cluster;

import java.util.List;

/**
 * CDI event: after a merge (or after this side got quorum back) every cache of the cluster has settled among the
 * members, so this node's copies are the cluster's again ({@link Settling}).
 *
 * @param generation which merge ({@link Settling#generation()}): an event of an older one is stale
 * @param members the view the caches settled in
 * @param waitedMillis how long after the merge view
 * @param settled false when the caches were not seen settled within the patience and the event comes anyway
 */
public record RecordsSettled(long generation, List<String> members, long waitedMillis, boolean settled) {}
