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
            check += consume(adapter.decode(frame)) + consume(DeribitAdapter.parse(frame));
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            check += consume(adapter.decode(frame));
        }
        long scanner = System.nanoTime() - start;
        start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            check += consume(DeribitAdapter.parse(frame));
        }
        long jackson = System.nanoTime() - start;
        if (check == 42) {
            System.out.print("");
        }
        return new double[] {(double) scanner / iterations, (double) jackson / iterations};
    }

    /**
     * Uses a decoded frame so that the JIT cannot drop the decode, at a cost of a few nanoseconds (hashing the
     * record would hash its data, a few hundred characters, and blur the comparison).
     */
    private static long consume(InboundFrame frame) {
        InboundFrame.Notification n = (InboundFrame.Notification) frame;
        return n.sequence() + n.previous() + n.channel().length() + n.data().length() + (n.snapshot() ? 1 : 0);
    }
}
