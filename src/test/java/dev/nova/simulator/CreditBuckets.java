package dev.nova.simulator;

import java.util.concurrent.ConcurrentHashMap;

/** Deribit-style credit buckets by key (account or connection): take a cost or be refused. */
final class CreditBuckets {

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int max;
    private final int refillPerSecond;

    CreditBuckets(int max, int refillPerSecond) {
        this.max = max;
        this.refillPerSecond = refillPerSecond;
    }

    boolean take(String key, int cost) {
        return buckets.computeIfAbsent(key, k -> new Bucket(max)).take(cost, max, refillPerSecond);
    }

    private static final class Bucket {
        private double credits;
        private long refilledAt = System.nanoTime();

        Bucket(int max) {
            credits = max;
        }

        synchronized boolean take(int cost, int max, int refillPerSecond) {
            long now = System.nanoTime();
            credits = Math.min(max, credits + (now - refilledAt) / 1e9 * refillPerSecond);
            refilledAt = now;
            if (credits < cost) {
                return false;
            }
            credits -= cost;
            return true;
        }
    }
}
