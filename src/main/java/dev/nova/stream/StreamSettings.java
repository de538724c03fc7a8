package dev.nova.stream;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import java.time.Duration;

/**
 * How market data reaches consumers on this node.
 *
 * @param bufferSize messages a consumer may fall behind before it is dropped
 * @param keepAlive interval of SSE keep-alive comments on an idle stream
 * @param sendTimeout a consumer whose write blocks longer than this is dropped
 * @param distributeEvents cluster events go to every member's event streams
 *     ({@code nova.cluster.components.telemetry}; false: each node streams only its own)
 * @param replaySize sequenced messages kept per channel for consumers that resume with
 *     {@code Last-Event-ID} (0: none kept, a resumed stream starts live with {@code gap: true})
 * @param replayRetention how long a node keeps receiving and keeping a channel after its last consumer left, so
 *     that a consumer reconnecting within that time misses nothing
 * @param maxLag a consumer whose oldest undelivered event has waited longer than this on the node is dropped (zero:
 *     only {@code bufferSize} bounds how far behind it may fall)
 */
public record StreamSettings(
        int bufferSize,
        Duration keepAlive,
        Duration sendTimeout,
        boolean distributeEvents,
        int replaySize,
        Duration replayRetention,
        Duration maxLag) {

    /** Settings with events distributed and the default replay (tests). */
    public StreamSettings(int bufferSize, Duration keepAlive, Duration sendTimeout) {
        this(bufferSize, keepAlive, sendTimeout, true, 1000, Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    private static final long HOUR_MS = 3_600_000L;

    /** Reads the {@code nova.stream.*} keys; a bad value is a {@link ConfigException} naming its key. */
    public static StreamSettings read(ConfigReader config) {
        return new StreamSettings(
                config.intValue("nova.stream.buffer-size", 1, 10_000_000),
                config.millis("nova.stream.keep-alive", 100, HOUR_MS),
                config.millis("nova.stream.send-timeout", 100, HOUR_MS),
                config.bool("nova.cluster.components.telemetry", true),
                config.intValue("nova.stream.replay-size", 0, 1_000_000),
                config.millis("nova.stream.replay-retention", 0, HOUR_MS),
                config.millis("nova.stream.max-lag", 0, HOUR_MS));
    }

    /** Whether consumers can resume with {@code Last-Event-ID}. */
    public boolean replays() {
        return replaySize > 0;
    }
}
