package dev.nova.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The {@code nova.ratelimit.*} keys, {@code nova.cluster.distributed-rate-limits} and
 * {@code nova.node.egress-address}: the exchanges' published limits, and how much of them Nova allows itself.
 *
 * @param distributed share budgets through the cluster (false: every node has budgets of its own)
 * @param egressAddress this node's public egress IP, the scope of per-IP exchange limits
 * @param safetyMargin fraction of every exchange limit Nova never uses (0.1 = stay 10 % below), headroom for clock
 *     skew, network jitter and frames Nova does not send itself (Tyrus answers pings with pongs)
 * @param queueSize requests that may wait for budget per scope on this node; more are rejected at once
 * @param maxWait how long a request may wait for budget before it is rejected (and never sent)
 * @param timeout bound on one cluster call of the rate limiter
 */
public record RateLimitSettings(
        boolean distributed,
        String egressAddress,
        double safetyMargin,
        int queueSize,
        Duration maxWait,
        Duration timeout,
        Deribit deribit,
        Binance binance) {

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
}
