package dev.nova.connection;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import java.time.Duration;

/**
 * How this node runs exchange sessions.
 *
 * @param connectTimeout bound on opening one WebSocket session
 * @param requestTimeout bound on waiting for the answer to one request
 * @param heartbeatIntervalSeconds Deribit {@code set_heartbeat} interval; also Nova's ping interval on Binance
 * @param staleTimeout a session that receives nothing for this long is considered dead and reconnected
 * @param backoff reconnect policy
 * @param backoffResetAfter a session that stayed up this long starts the next outage at the first backoff step
 * @param maxMessageBytes largest text frame accepted from an exchange
 */
public record ConnectionSettings(
        Duration connectTimeout,
        Duration requestTimeout,
        int heartbeatIntervalSeconds,
        Duration staleTimeout,
        BackoffPolicy backoff,
        Duration backoffResetAfter,
        int maxMessageBytes) {

    private static final long HOUR_MS = 3_600_000L;

    /** Reads the {@code nova.connection.*} keys; a bad value is a {@link ConfigException} naming its key. */
    public static ConnectionSettings read(ConfigReader config) {
        Duration initial = config.millis("nova.connection.backoff.initial", 0, HOUR_MS);
        Duration max = config.millis("nova.connection.backoff.max", 10, 24 * HOUR_MS);
        if (max.compareTo(initial) < 0) {
            throw new ConfigException(
                    "nova.connection.backoff.max",
                    max.toMillis() + " is below nova.connection.backoff.initial (" + initial.toMillis() + ")");
        }
        BackoffPolicy backoff = new BackoffPolicy(
                initial,
                max,
                config.doubleValue("nova.connection.backoff.multiplier", 1.0, 100.0),
                config.doubleValue("nova.connection.backoff.jitter", 0.0, 1.0),
                config.intValue("nova.connection.backoff.max-attempts", 0, Integer.MAX_VALUE));
        int heartbeat = config.intValue("nova.connection.heartbeat-interval", 1, 3600);
        Duration stale = config.millis("nova.connection.stale-timeout", 100, HOUR_MS);
        if (stale.toMillis() <= heartbeat * 1000L) {
            throw new ConfigException(
                    "nova.connection.stale-timeout",
                    stale.toMillis() + " ms must exceed "
                            + "nova.connection.heartbeat-interval (" + heartbeat + " s): a quiet but healthy session "
                            + "would be declared stale between two heartbeats");
        }
        return new ConnectionSettings(
                config.millis("nova.connection.connect-timeout", 100, HOUR_MS),
                config.millis("nova.connection.request-timeout", 100, HOUR_MS),
                heartbeat,
                stale,
                backoff,
                config.millis("nova.connection.backoff.reset-after", 0, 24 * HOUR_MS),
                config.intValue("nova.connection.max-message-size", 1024, 256 * 1024 * 1024));
    }
}
