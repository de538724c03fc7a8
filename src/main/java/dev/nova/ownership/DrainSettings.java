package dev.nova.ownership;

import dev.nova.config.ConfigReader;
import java.time.Duration;

/**
 * How a node is drained ({@link Drain}): the {@code nova.cluster.drain-on-stop} and {@code nova.cluster.drain-timeout}
 * keys.
 *
 * @param onStop whether a node that stops ({@code server stop}, SIGTERM) first moves its clients away
 * @param timeout how long a drain on stop may take before the node goes anyway (what is left fails over)
 */
public record DrainSettings(boolean onStop, Duration timeout) {

    private static final long HOUR_MS = 3_600_000L;

    public static DrainSettings read(ConfigReader config) {
        return new DrainSettings(
                config.bool("nova.cluster.drain-on-stop", true),
                config.millis("nova.cluster.drain-timeout", 0, HOUR_MS));
    }
}
