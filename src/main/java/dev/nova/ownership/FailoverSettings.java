package dev.nova.ownership;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import java.time.Duration;
import java.util.Locale;

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

    private static final long HOUR_MS = 3_600_000L;

    /**
     * Reads the {@code nova.failover.*} keys and {@code nova.cluster.active-failover}; a bad value is a
     * {@link ConfigException} naming its key.
     */
    public static FailoverSettings read(ConfigReader config) {
        String strategy = config.string("nova.failover.strategy").toLowerCase(Locale.ROOT);
        if (!strategy.equals("immediate") && !strategy.equals("delayed")) {
            throw new ConfigException("nova.failover.strategy", "'" + strategy + "' is neither immediate nor delayed");
        }
        return new FailoverSettings(
                config.bool("nova.failover.enabled", true),
                config.bool("nova.cluster.active-failover", true),
                strategy.equals("delayed"),
                config.millis("nova.failover.delay", 0, HOUR_MS),
                config.intValue("nova.failover.max-attempts", 1, 100),
                config.millis("nova.failover.attempt-timeout", 100, HOUR_MS),
                config.millis("nova.failover.transfer-timeout", 100, HOUR_MS));
    }
}
