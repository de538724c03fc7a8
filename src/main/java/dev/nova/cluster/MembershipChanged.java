package dev.nova.cluster;

import java.util.List;

/**
 * CDI event: this node saw a new cluster view. Fired on a managed thread, in view order.
 *
 * @param joined members in the new view that were not in the previous one
 * @param left members of the previous view missing from the new one
 * @param merge whether the view merged partitions
 */
public record MembershipChanged(List<String> joined, List<String> left, boolean merge, ViewHistory.Snapshot view) {}
