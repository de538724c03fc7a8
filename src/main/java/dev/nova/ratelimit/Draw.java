package dev.nova.ratelimit;

/**
 * What one request takes from which budget.
 *
 * @param cost tokens the request consumes
 * @param reserve tokens the request must leave in the bucket (headroom kept for heartbeats)
 */
public record Draw(Scope scope, long cost, long reserve) {}
