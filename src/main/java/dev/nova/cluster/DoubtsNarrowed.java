package dev.nova.cluster;

/**
 * CDI event: while a merge settles, a complete comparison of the replicas found a (new) set of entries in doubt
 * ({@link Settling#doubts}); clients whose records are not among them may be started and failed over now.
 *
 * @param generation which settling ({@link Settling#generation()})
 */
public record DoubtsNarrowed(long generation) {}
