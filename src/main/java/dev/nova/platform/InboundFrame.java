package dev.nova.platform;

/**
 * Everything an exchange can send, decoded by a {@link PlatformAdapter}. The set is closed: a frame the adapter
 * does not understand becomes {@link Unrecognized}, never an exception on the thread handling frames.
 */
public sealed interface InboundFrame {

    /** Marks an absent sequence number. */
    long NO_SEQUENCE = Long.MIN_VALUE;

    /**
     * A successful answer to request {@code id}; {@code result} is the raw JSON of the result ({@code null} JSON
     * is the string {@code "null"}).
     */
    record Response(long id, String result) implements InboundFrame {}

    /** An error answer; {@code id} is -1 when the exchange did not say which request failed. */
    record ErrorReply(long id, int code, String message) implements InboundFrame {

        public boolean correlated() {
            return id >= 0;
        }
    }

    /**
     * Market data on a channel. {@code data} is the raw JSON of the payload, cut out of the frame without
     * re-encoding. {@code sequence} is the last exchange sequence number the message carries and {@code previous}
     * the one it says came right before it ({@link #NO_SEQUENCE} when the channel has none); a {@code snapshot}
     * restarts the sequence.
     */
    record Notification(String channel, String data, long sequence, long previous, boolean snapshot)
            implements InboundFrame {

        public boolean sequenced() {
            return sequence != NO_SEQUENCE;
        }
    }

    /** An exchange heartbeat; {@code testRequest} means the exchange expects an answer now. */
    record Heartbeat(boolean testRequest) implements InboundFrame {}

    /** A frame that is not valid JSON or not a message this adapter knows. */
    record Unrecognized(String reason) implements InboundFrame {}
}
