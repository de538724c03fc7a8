package dev.nova.stream;

/**
 * One market-data notification as Nova delivers it: CDI event payload and the body of an SSE {@code message}.
 *
 * @param sequence the exchange sequence number, or {@link #NO_SEQUENCE} when the channel has none
 * @param previous the sequence the exchange says came right before this message, or {@link #NO_SEQUENCE} when the
 *     channel has none or the message restarts it (a snapshot); lets any node tell a gap across owners
 * @param receivedAt epoch milliseconds when the frame arrived on this node
 * @param gap whether messages were missed on this channel right before this one
 * @param data the exchange payload, raw JSON exactly as received
 */
public record MarketMessage(
        String client, String channel, long sequence, long previous, long receivedAt, boolean gap, String data) {

    public static final long NO_SEQUENCE = Long.MIN_VALUE;

    /** A message that says nothing about what came before it. */
    public MarketMessage(String client, String channel, long sequence, long receivedAt, boolean gap, String data) {
        this(client, channel, sequence, NO_SEQUENCE, receivedAt, gap, data);
    }

    /** The same message, marked as following a gap. */
    public MarketMessage withGap() {
        return withGap(true);
    }

    /** The same message, marked as following a gap or not. */
    public MarketMessage withGap(boolean gap) {
        return new MarketMessage(client, channel, sequence, previous, receivedAt, gap, data);
    }

    public boolean sequenced() {
        return sequence != NO_SEQUENCE;
    }
}
