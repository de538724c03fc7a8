package dev.nova.connection;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential reconnect backoff with jitter, bounded by a cap and optionally by a number of attempts. Jitter
 * spreads reconnects of many clients after a shared outage so they do not hit the exchange in one burst.
 *
 * @param initial delay before the first reconnect attempt
 * @param max cap on any delay
 * @param multiplier growth per attempt (at least 1)
 * @param jitter fraction of each delay that is randomised, in [0, 1]
 * @param maxAttempts attempts before giving up; 0 means never give up
 */
public record BackoffPolicy(Duration initial, Duration max, double multiplier, double jitter, int maxAttempts) {

    public BackoffPolicy {
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 <= initial <= max");
        }
        if (multiplier < 1) {
            throw new IllegalArgumentException("backoff multiplier must be >= 1");
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("backoff jitter must be in [0, 1]");
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("backoff maxAttempts must be >= 0");
        }
    }

    /** Whether attempt number {@code attempt} (1-based) is still allowed. */
    public boolean allows(int attempt) {
        return maxAttempts == 0 || attempt <= maxAttempts;
    }

    /**
     * The delay before attempt {@code attempt} (1-based): {@code initial * multiplier^(attempt-1)}, capped, of
     * which the {@code jitter} fraction is scaled by a random number in [0, 1).
     */
    public Duration delay(int attempt, DoubleSupplier random) {
        double base = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, max.toMillis());
        double fixed = capped * (1 - jitter);
        double varying = capped * jitter * random.getAsDouble();
        return Duration.ofMillis(Math.round(fixed + varying));
    }
}
