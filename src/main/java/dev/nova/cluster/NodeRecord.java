package dev.nova.cluster;

import org.infinispan.protostream.annotations.Proto;

/**
 * A member of the cluster as the {@code nodes} cache records it; each node writes its own record when it joins.
 *
 * @param restAddress where this node's admin API answers, e.g. {@code http://10.0.0.5:9080}
 * @param startedAt epoch milliseconds; also the node's incarnation, telling a restart from the node before it
 * @param sealingKey the public name of the key the node seals exchange secrets with ({@link SealingKey}); "" or null
 *     for none
 */
@Proto
public record NodeRecord(String name, String region, String restAddress, long startedAt, String sealingKey) {}
