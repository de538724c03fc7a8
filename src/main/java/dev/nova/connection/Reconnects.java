package dev.nova.connection;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * The reconnect policy of one shard of a client: how many attempts in a row failed, and how long to wait before the
 * next. A session that stayed up {@code backoff-reset-after} starts its next outage at the first step; a session the
 * exchange throttled starts further up the curve; past {@code backoff.max-attempts} the client gives up.
 */
final class Reconnects {

    /** The step a throttled session's next attempt starts at, at least. */
    static final int THROTTLED_STEP = 3;

    private int failures;
    private boolean throttled;

    /** The exchange throttled the current session: its next reconnect waits longer. */
    void throttled() {
        throttled = true;
    }

    /** A restart: the next loss is the first. */
    void reset() {
        failures = 0;
    }

    /** The attempt the next reconnect will be (1 for the first). */
    int attempt() {
        return failures;
    }

    /**
     * A session was lost (or failed to open): the delay before the next attempt, or empty when the attempts are
     * spent.
     *
     * @param liveFor how long the lost session was live
     */
    Optional<Duration> afterLoss(ConnectionSettings settings, boolean wasLive, long liveFor, DoubleSupplier random) {
        if (wasLive && liveFor >= settings.backoffResetAfter().toMillis()) {
            failures = 0;
        }
        failures++;
        if (throttled) {
            throttled = false;
            failures = Math.max(failures, THROTTLED_STEP);
        }
        if (!settings.backoff().allows(failures)) {
            return Optional.empty();
        }
        return Optional.of(settings.backoff().delay(failures, random));
    }
}
