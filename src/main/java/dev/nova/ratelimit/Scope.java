package dev.nova.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import java.time.Duration;

/**
 * One budget: a token bucket standing for one exchange limit. Tokens are exchange units (credits, messages,
 * connections, requests) times {@code scale}, so fractional limits stay exact in whole tokens.
 *
 * @param key the budget's name, e.g. {@code deribit:account:<client id>} or {@code binance:ip:<address>}
 * @param unit what the exchange counts
 * @param scale tokens per exchange unit
 * @param capacity the most tokens the bucket holds
 * @param refillTokens tokens added back per {@code refillPeriod}, continuously
 * @param refillPeriod see {@code refillTokens}
 * @param shared held in the cluster (every node draws from it) rather than on this node only
 */
public record Scope(
        String key, String unit, long scale, long capacity, long refillTokens, Duration refillPeriod, boolean shared) {

    BucketConfiguration configuration() {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(capacity)
                        .refillGreedy(refillTokens, refillPeriod)
                        .build())
                .build();
    }

    /** Tokens in the exchange's unit. */
    public double units(long tokens) {
        return (double) tokens / scale;
    }

    public double capacityUnits() {
        return units(capacity);
    }

    public double refillUnitsPerSecond() {
        return units(refillTokens) * 1_000_000_000d / refillPeriod.toNanos();
    }

    /** How long the bucket needs to refill {@code tokens}, in milliseconds (rounded up). */
    long millisToRefill(long tokens) {
        if (tokens <= 0) {
            return 0;
        }
        double nanos = (double) tokens * refillPeriod.toNanos() / refillTokens;
        return (long) Math.ceil(nanos / 1_000_000d);
    }
}
