/**
 * The transport: this node's Infinispan cache manager on its JGroups channel, the caches the features declare
 * ({@code CacheDeclaration}) besides its own ({@code nodes}, {@code probes}), the views and whether this side holds
 * quorum ({@code MembershipChanged}), and the bus between nodes (a fork channel per topic, and calls with one enum of
 * operations). Membership, replication and failure detection belong to Infinispan and JGroups. It knows no feature.
 */
package dev.nova.cluster;
