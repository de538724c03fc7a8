package dev.nova.stream;

/** Nova's SSE framing of a market message, opened to the benchmark's reference gateway (the bench package). */
public final class BenchFrames {

    private BenchFrames() {}

    /** The exact bytes Nova writes for {@code message} on an SSE stream ({@code event: message}, id, data). */
    public static byte[] message(MarketMessage message) {
        return SseFrames.message(message);
    }
}
