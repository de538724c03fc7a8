package dev.nova.simulator;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How the simulator behaves. Defaults follow the exchanges' documented limits, except heartbeat minimums and ping
 * intervals, which tests shorten.
 */
public final class SimulatorOptions {

    String host = "127.0.0.1";
    int port;
    int messagesPerSecond = 10;
    final Map<String, String> credentials = new HashMap<>();
    int deribitMaxCredits = 50_000;
    int deribitRefillPerSecond = 10_000;
    int deribitCost = 500;
    int deribitMinHeartbeatSeconds = 10;
    int binanceMaxMessagesPerSecond = 5;
    int binanceMaxStreams = 1024;
    Duration binancePingInterval = Duration.ofSeconds(20);
    Duration binancePongTimeout = Duration.ofSeconds(60);
    int maxConnectionsPerWindow = 300;
    Duration connectionWindow = Duration.ofMinutes(5);
    int outboxFrames = 1 << 16;
    int fragmentBytes;
    boolean stampNanos;

    public static SimulatorOptions defaults() {
        return new SimulatorOptions();
    }

    public SimulatorOptions host(String value) {
        host = value;
        return this;
    }

    /** 0 picks a free port. */
    public SimulatorOptions port(int value) {
        port = value;
        return this;
    }

    /** Messages per second on every channel; 0 publishes only on {@link ExchangeSimulator#publish}. */
    public SimulatorOptions messagesPerSecond(int value) {
        messagesPerSecond = value;
        return this;
    }

    /**
     * Adds {@code "nanos": System.nanoTime()} of the encoding moment to every Deribit trade, so a reader in the same
     * JVM (the benchmark) can time the way from the exchange to a consumer.
     */
    public SimulatorOptions stampNanos(boolean value) {
        stampNanos = value;
        return this;
    }

    /** An API key pair accepted by Deribit {@code public/auth}. */
    public SimulatorOptions credentials(String clientId, String clientSecret) {
        credentials.put(clientId, clientSecret);
        return this;
    }

    /** Deribit's credit bucket per account (or per connection before auth). */
    public SimulatorOptions deribitCredits(int maxCredits, int refillPerSecond, int costPerRequest) {
        deribitMaxCredits = maxCredits;
        deribitRefillPerSecond = refillPerSecond;
        deribitCost = costPerRequest;
        return this;
    }

    public SimulatorOptions deribitMinHeartbeatSeconds(int value) {
        deribitMinHeartbeatSeconds = value;
        return this;
    }

    public SimulatorOptions binanceLimits(int maxMessagesPerSecond, int maxStreams) {
        binanceMaxMessagesPerSecond = maxMessagesPerSecond;
        binanceMaxStreams = maxStreams;
        return this;
    }

    public SimulatorOptions binancePing(Duration interval, Duration pongTimeout) {
        binancePingInterval = interval;
        binancePongTimeout = pongTimeout;
        return this;
    }

    /** Binance handshakes allowed per client IP within the window; more are refused with HTTP 429 (Binance's rule). */
    public SimulatorOptions connectionLimit(int perWindow, Duration window) {
        maxConnectionsPerWindow = perWindow;
        connectionWindow = window;
        return this;
    }

    /**
     * Sends every text message longer than {@code bytes} (UTF-8) as a text frame and continuation frames of at most
     * that many bytes each, as a server may; 0 (the default) sends each message in one frame.
     */
    public SimulatorOptions fragmentTextAbove(int bytes) {
        fragmentBytes = bytes;
        return this;
    }

    /** Frames a connection may have queued before it is dropped as too slow. */
    public SimulatorOptions outboxFrames(int value) {
        outboxFrames = value;
        return this;
    }
}
