package dev.nova.stream;

/**
 * One market-data notification as Nova delivers it: CDI event payload and the body of an SSE {@code message}.
 *
 * @param sequence the exchange sequence number, or {@link #NO_SEQUENCE} when the channel has none
 * @param receivedAt epoch milliseconds when the frame arrived on this node
 * @param gap whether messages were missed on this channel right before this one
 * @param data the exchange payload, raw JSON exactly as received
 */
public record MarketMessage(String client, String channel, long sequence, long receivedAt, boolean gap, String data) {

    public static final long NO_SEQUENCE = Long.MIN_VALUE;

    public boolean sequenced() {
        return sequence != NO_SEQUENCE;
    }
}
