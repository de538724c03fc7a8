package dev.nova.ratelimit;

import dev.nova.cluster.ClusterSettings;
import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code nova.ratelimit.*} keys, {@code nova.cluster.distributed-rate-limits} and
 * {@code nova.node.egress-address}: the exchanges' published limits, and how much of them Nova allows itself.
 *
 * @param distributed share budgets through the cluster (false: every node has budgets of its own);
 *     {@code nova.cluster.components.rate-limits}, alias {@code nova.cluster.distributed-rate-limits}
 * @param egressAddress this node's public egress IP, the scope of per-IP exchange limits
 * @param safetyMargin fraction of every exchange limit Nova never uses (0.1 = stay 10 % below), headroom for clock
 *     skew, network jitter and frames Nova does not send itself (Tyrus answers pings with pongs)
 * @param queueSize requests that may wait for budget per scope on this node; more are rejected at once
 * @param maxWait how long a request may wait for budget before it is rejected (and never sent)
 * @param timeout bound on one cluster call of the rate limiter
 * @param sharedConnections connection attempts (connects and reconnects) draw from budgets the cluster shares
 *     ({@code nova.cluster.components.reconnection}; false: every node paces its own)
 */
public record RateLimitSettings(
        boolean distributed,
        String egressAddress,
        double safetyMargin,
        int queueSize,
        Duration maxWait,
        Duration timeout,
        Deribit deribit,
        Binance binance,
        boolean sharedConnections) {

    /**
     * Deribit's credit system: every request costs credits from a bucket per account (per IP without credentials).
     *
     * @param maxCredits the bucket size
     * @param refillPerSecond credits added back per second
     * @param cost credits of a non-matching-engine request
     * @param methodCosts per-method overrides of {@code cost}
     * @param heartbeatReserve credits only heartbeats ({@code public/set_heartbeat}, {@code public/test}) may use:
     *     Deribit ends a session that misses a heartbeat or exceeds its credits, so other requests leave these
     * @param matchingEngineBurst matching-engine requests allowed at once (the account's tier)
     * @param matchingEnginePerSecond matching-engine requests per second (the account's tier)
     * @param matchingEngineMethods methods that count against the matching-engine limit instead of credits
     */
    public record Deribit(
            long maxCredits,
            long refillPerSecond,
            long cost,
            Map<String, Long> methodCosts,
            long heartbeatReserve,
            long matchingEngineBurst,
            long matchingEnginePerSecond,
            Set<String> matchingEngineMethods) {}

    /**
     * Binance's WebSocket limits.
     *
     * @param messagesPerSecond incoming messages (requests, pings, pongs) per connection per second
     * @param connectionsPerWindow connection attempts per IP per window
     * @param connectionWindow that window
     */
    public record Binance(long messagesPerSecond, long connectionsPerWindow, Duration connectionWindow) {}

    private static final long HOUR_MS = 3_600_000L;

    /**
     * Reads the {@code nova.ratelimit.*} keys, {@code nova.cluster.distributed-rate-limits} and
     * {@code nova.node.egress-address} (which defaults to the cluster's bind address); a bad value is a
     * {@link ConfigException} naming its key.
     */
    public static RateLimitSettings read(ConfigReader config, ClusterSettings cluster) {
        String egress = config.optional("nova.node.egress-address")
                .map(a -> ConfigReader.address("nova.node.egress-address", a))
                .orElse(cluster.bindAddress());
        String d = "nova.ratelimit.deribit.";
        long cost = config.longValue(d + "cost", 1, 1_000_000_000L);
        Map<String, Long> methodCosts = methodCosts(config, d + "method-costs");
        Deribit deribit = new Deribit(
                config.longValue(d + "max-credits", 1, 1_000_000_000_000L),
                config.longValue(d + "refill-credits-per-second", 1, 1_000_000_000_000L),
                cost,
                methodCosts,
                config.longValue(d + "heartbeat-reserve", 0, 1_000_000_000_000L),
                config.longValue(d + "matching-engine.burst", 1, 1_000_000L),
                config.longValue(d + "matching-engine.requests-per-second", 1, 1_000_000L),
                Set.copyOf(config.list(d + "matching-engine.methods")));
        String b = "nova.ratelimit.binance.";
        Binance binance = new Binance(
                config.longValue(b + "messages-per-second", 1, 1_000_000L),
                config.longValue(b + "connections-per-window", 1, 1_000_000L),
                config.millis(b + "connection-window", 1000, 24 * HOUR_MS));
        double margin = config.doubleValue("nova.ratelimit.safety-margin", 0.0, 0.9);
        RateLimitSettings settings = new RateLimitSettings(
                cluster.enabled()
                        && config.bool(
                                "nova.cluster.components.rate-limits", "nova.cluster.distributed-rate-limits", true),
                egress,
                margin,
                config.intValue("nova.ratelimit.queue-size", 1, 1_000_000),
                config.millis("nova.ratelimit.max-wait", 0, HOUR_MS),
                config.millis("nova.ratelimit.timeout", 100, HOUR_MS),
                deribit,
                binance,
                cluster.enabled() && config.bool("nova.cluster.components.reconnection", true));
        long capacity = (long) Math.floor(deribit.maxCredits() * (1 - margin));
        long heaviest = Math.max(
                methodCosts.values().stream().mapToLong(Long::longValue).max().orElse(0), cost);
        if (deribit.heartbeatReserve() + heaviest > capacity) {
            throw new ConfigException(
                    d + "heartbeat-reserve",
                    deribit.heartbeatReserve() + " credits kept for heartbeats plus the costliest request ("
                            + heaviest + ") exceed the budget (" + capacity + " = max-credits less the safety "
                            + "margin): nothing but heartbeats could ever be sent");
        }
        return settings;
    }

    /** {@code method:credits,method:credits}. */
    private static Map<String, Long> methodCosts(ConfigReader config, String key) {
        Map<String, Long> methodCosts = new LinkedHashMap<>();
        for (String entry : config.list(key)) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new ConfigException(key, "'" + entry + "' is not method:credits");
            }
            long value;
            try {
                value = Long.parseLong(entry.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "'" + entry + "' is not method:credits");
            }
            if (value < 0 || value > 1_000_000_000L) {
                throw new ConfigException(key, "credits of '" + entry + "' are out of range");
            }
            methodCosts.put(entry.substring(0, colon).trim(), value);
        }
        return Map.copyOf(methodCosts);
    }
}
