package dev.nova.telemetry;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The latest {@code capacity} durations of an operation, for percentiles over recent calls. Recording is one
 * atomic increment and one array write; a snapshot copies and sorts (for the admin API, not the hot path).
 */
public final class LatencyRecorder {

    private final AtomicLongArray samples;
    private final AtomicLong count = new AtomicLong();

    public LatencyRecorder(int capacity) {
        samples = new AtomicLongArray(capacity);
    }

    public void record(long nanos) {
        long index = count.getAndIncrement();
        samples.set((int) (index % samples.length()), nanos);
    }

    /** Forgets every sample (a new measurement starts). */
    public void reset() {
        count.set(0);
    }

    public Snapshot snapshot() {
        long total = count.get();
        int size = (int) Math.min(total, samples.length());
        long[] copy = new long[size];
        for (int i = 0; i < size; i++) {
            copy[i] = samples.get(i);
        }
        Arrays.sort(copy);
        return new Snapshot(total, size, copy);
    }

    /**
     * Percentiles of the retained samples.
     *
     * @param count calls recorded since the last reset
     * @param retained of which the latest are kept
     */
    public record Snapshot(long count, int retained, long[] sorted) {

        /** The {@code p}-th percentile (0–100) in microseconds, or 0 without samples. */
        public double percentileMicros(double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1000.0;
        }
    }
}
