package dev.nova.cluster;

import org.infinispan.protostream.annotations.Proto;

/**
 * What this cluster knows of a bridged cluster, in the {@code bridges} cache: whether its site master is in the
 * bridge, since when, as {@code seenBy} (this cluster's site master then) saw it.
 */
@Proto
public record BridgeRecord(boolean online, long since, String seenBy) {}
