package dev.nova.cluster;

/**
 * CDI event: a member that left the view is gone for sure (its JGroups port refuses connections), so its clients need
 * not wait for its lease ({@link Leases}). Fired once per departure, after the view that lost it.
 *
 * @param member the node's name
 */
public record MemberGone(String member) {}
