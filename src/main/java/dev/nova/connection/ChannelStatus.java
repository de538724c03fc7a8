package dev.nova.connection;

/** A channel's standing at the exchange, as the owning node sees it. */
public enum ChannelStatus {
    /** Not (yet) confirmed by the exchange on the current session. */
    PENDING,
    /** Confirmed by the exchange. */
    ACTIVE,
    /** Refused by the exchange; retried on the next session. */
    REJECTED
}
