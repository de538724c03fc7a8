package dev.nova.platform.deribit;

import dev.nova.platform.InboundFrame;

/**
 * Times the Deribit decode for the benchmark harness: the adapter as Nova runs it (the scanner's fast path) against
 * Jackson's full parse of the same frame, in one JVM, one after the other.
 */
public final class DecodeTiming {

    private DecodeTiming() {}

    /** Nanoseconds per frame: {@code [adapter, Jackson]}, each over {@code iterations} decodes after a warm-up. */
    public static double[] nanosPerFrame(String frame, int iterations) {
        DeribitAdapter adapter = new DeribitAdapter();
        if (!(adapter.decode(frame) instanceof InboundFrame.Notification)
                || !adapter.decode(frame).equals(DeribitAdapter.parse(frame))) {
            throw new IllegalArgumentException("not a notification both decodes agree on: " + frame);
        }
        long check = 0;
        for (int i = 0; i < iterations; i++) {
            check += adapter.decode(frame).hashCode()
                    + DeribitAdapter.parse(frame).hashCode();
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            check += adapter.decode(frame).hashCode();
        }
        long scanner = System.nanoTime() - start;
        start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            check += DeribitAdapter.parse(frame).hashCode();
        }
        long jackson = System.nanoTime() - start;
        if (check == 42) {
            System.out.print("");
        }
        return new double[] {(double) scanner / iterations, (double) jackson / iterations};
    }
}
