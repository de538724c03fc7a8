package dev.nova.cluster;

import org.infinispan.protostream.annotations.Proto;

/**
 * What is left of a deleted record, in the {@code tombstones} cache: which incarnation of it was deleted (its
 * creation time) and when. A merge that brings the record back from a side that never saw the delete brings back
 * exactly that incarnation, which the tombstone names.
 */
@Proto
public record Tombstone(long createdAt, long deletedAt) {}
