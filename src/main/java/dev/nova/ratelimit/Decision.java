package dev.nova.ratelimit;

/**
 * The rate limiter's answer for one request: {@code allowed}, or rate limited with the time after which it may
 * succeed.
 *
 * @param remaining what the budget holds after the request (exchange units; negative when an update recorded
 *     more than the budget held)
 * @param cost what the request costs (exchange units)
 */
public record Decision(boolean allowed, long retryAfterMs, double remaining, String scope, double cost) {}
