package dev.nova.cluster;

import org.infinispan.protostream.annotations.Proto;

/**
 * A member of the cluster as the {@code nodes} cache records it; each node writes its own record when it joins.
 *
 * @param restAddress where this node's admin API answers, e.g. {@code http://10.0.0.5:9080}
 * @param startedAt epoch milliseconds; also the node's incarnation, telling a restart from the node before it
 * @param sealingKey the public name of the key the node seals exchange secrets with ({@link SealingKey}); "" or null
 *     for none
 * @param draining whether the node is being drained: no client is placed, failed over, transferred or rebalanced onto
 *     it, and it moves its own away (schema 2: a member of schema 1 does not write it, and it reads as false)
 * @param schemaVersion the version of the record schemas the member runs ({@link #SCHEMA_VERSION}); 0 from a member
 *     of schema 1, which did not write it ({@link #schema()})
 */
@Proto
public record NodeRecord(
        String name,
        String region,
        String restAddress,
        long startedAt,
        String sealingKey,
        boolean draining,
        int schemaVersion) {

    /**
     * The version of the records' schemas (ProtoStream) this build writes. Schemas only grow: a new field takes a
     * number never used before, no field is removed, renumbered or retyped (README, "Rolling upgrades";
     * {@code SchemaEvolutionTest} compares every schema with the last release's). 1: the first release; 2: the
     * node record's {@code draining} and {@code schemaVersion}.
     */
    public static final int SCHEMA_VERSION = 2;

    /**
     * A member of this build, not being drained. (A factory, not a second constructor: ProtoStream would build its
     * marshaller from that one and leave the newer fields out.)
     */
    public static NodeRecord of(String name, String region, String restAddress, long startedAt, String sealingKey) {
        return new NodeRecord(name, region, restAddress, startedAt, sealingKey, false, SCHEMA_VERSION);
    }

    /** The same record, draining or not. */
    public NodeRecord draining(boolean now) {
        return new NodeRecord(name, region, restAddress, startedAt, sealingKey, now, schemaVersion);
    }

    /** The schema version the member runs: 1 for a member that did not say (it predates the field). */
    public int schema() {
        return schemaVersion == 0 ? 1 : schemaVersion;
    }
}
