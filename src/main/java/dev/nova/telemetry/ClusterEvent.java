package dev.nova.telemetry;

import dev.nova.platform.Json;
import java.util.List;

/**
 * Something that happened in the cluster, as seen by {@code node}.
 *
 * @param type the event name, e.g. {@code nova.cluster.node.left}
 * @param client the client concerned, or null
 * @param durationMs how long it took, or null
 * @param at epoch milliseconds
 * @param detail free text for operators, or null
 */
public record ClusterEvent(String type, String node, String client, Long durationMs, long at, String detail) {

    public static final String NODE_JOINED = "nova.cluster.node.joined";
    public static final String NODE_LEFT = "nova.cluster.node.left";
    public static final String SUBSCRIPTION_SYNCHRONIZED = "nova.cluster.subscription.synchronized";
    public static final String FAILOVER_STARTED = "nova.cluster.failover.started";
    public static final String FAILOVER_COMPLETED = "nova.cluster.failover.completed";
    public static final String FAILOVER_FAILED = "nova.cluster.failover.failed";
    public static final String TRANSFER_COMPLETED = "nova.cluster.transfer.completed";
    public static final String TRANSFER_ABORTED = "nova.cluster.transfer.aborted";
    /** This node's side lost quorum: it pauses (its clients stop, writes are refused); {@code detail} says why. */
    public static final String PARTITION_DETECTED = "nova.cluster.partition.detected";
    /** This node's side holds quorum again (a merge, a member back, an operator's forget). */
    public static final String PARTITION_HEALED = "nova.cluster.partition.healed";
    /** The exchange throttled a client and Nova emptied the budget it draws from; {@code detail} names it. */
    public static final String RATE_LIMIT_BACKOFF = "nova.ratelimit.backoff";

    /** The coordinator starts moving clients to even the load (or to follow the markets); {@code detail} says why. */
    public static final String REBALANCE_STARTED = "nova.cluster.rebalance.started";
    /** A rebalance ended; {@code detail} lists the moves made (and any that failed). */
    public static final String REBALANCE_COMPLETED = "nova.cluster.rebalance.completed";

    /** A node is being drained: it moves its clients away; {@code detail} says how many and why. */
    public static final String NODE_DRAINING = "nova.cluster.node.draining";
    /** A drained node runs no client any more ({@code durationMs}: since the drain began). */
    public static final String NODE_DRAINED = "nova.cluster.node.drained";

    /** A bridged cluster is reachable: its subscriptions cross again ({@code detail} names it). */
    public static final String BRIDGE_ONLINE = "nova.cluster.bridge.online";
    /** A bridged cluster is no longer reachable: its last known subscriptions stay, for adoption. */
    public static final String BRIDGE_OFFLINE = "nova.cluster.bridge.offline";

    /** Every event type Nova emits. */
    public static final List<String> TYPES = List.of(
            NODE_JOINED,
            NODE_LEFT,
            SUBSCRIPTION_SYNCHRONIZED,
            FAILOVER_STARTED,
            FAILOVER_COMPLETED,
            FAILOVER_FAILED,
            TRANSFER_COMPLETED,
            TRANSFER_ABORTED,
            PARTITION_DETECTED,
            PARTITION_HEALED,
            REBALANCE_STARTED,
            REBALANCE_COMPLETED,
            NODE_DRAINING,
            NODE_DRAINED,
            BRIDGE_ONLINE,
            BRIDGE_OFFLINE,
            RATE_LIMIT_BACKOFF);

    /** The JSON of {@code /api/events}: {@code {type, node, client?, durationMs?, at, detail?}}. */
    public String toJson() {
        StringBuilder out = new StringBuilder(128);
        out.append("{\"type\":");
        Json.appendQuoted(out, type);
        out.append(",\"node\":");
        Json.appendQuoted(out, node);
        if (client != null) {
            out.append(",\"client\":");
            Json.appendQuoted(out, client);
        }
        if (durationMs != null) {
            out.append(",\"durationMs\":").append(durationMs);
        }
        out.append(",\"at\":").append(at);
        if (detail != null) {
            out.append(",\"detail\":");
            Json.appendQuoted(out, detail);
        }
        return out.append('}').toString();
    }
}
