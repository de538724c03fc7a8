/**
 * The cluster runtime: the one Infinispan cache manager of this node, the caches that hold cluster state
 * ({@code clients}, {@code subscriptions}, {@code nodes}) and this node's identity. Membership, replication and
 * failure detection belong to Infinispan and JGroups, never to Nova. Values stored in the caches are
 * ProtoStream-annotated records, registered in {@link dev.nova.cluster.NovaSchema}.
 */
package dev.nova.cluster;
