package dev.nova.failover;

import java.time.Duration;

/**
 * The {@code nova.failover.*} keys, and {@code nova.cluster.active-failover}.
 *
 * @param enabled automatic failover of the clients of a node that left the view
 * @param active reassign such clients proactively ({@code nova.cluster.active-failover}); automatic failover runs
 *     when both are true
 * @param delayed wait {@code delay} before failing over (strategy {@code delayed}) instead of at once
 * @param delay how long {@code delayed} waits for the owner to come back
 * @param maxAttempts attempts per client before it is marked FAILED
 * @param attemptTimeout how long one attempt (connect, authenticate, subscribe) may take
 * @param transferTimeout how long a make-before-break transfer waits for the target's data before aborting
 */
public record FailoverSettings(
        boolean enabled,
        boolean active,
        boolean delayed,
        Duration delay,
        int maxAttempts,
        Duration attemptTimeout,
        Duration transferTimeout) {

    /** Whether the coordinator reassigns the clients of lost owners. */
    public boolean automatic() {
        return enabled && active;
    }
}
