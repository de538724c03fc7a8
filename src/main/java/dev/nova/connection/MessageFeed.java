package dev.nova.connection;

import dev.nova.platform.InboundFrame;
import dev.nova.platform.SequenceTracker;
import dev.nova.stream.MarketMessage;
import dev.nova.stream.MessageSink;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A client's market data on its way to the sink, with its sequencing and counters: each notification on a subscribed
 * channel is checked against the channel's sequence (a duplicate is dropped, a gap is marked on the message) and
 * counted; the counters are what {@link ConnectionStats} reports. Called on the sessions' frame lanes; read anywhere.
 */
final class MessageFeed {

    private static final Logger LOG = Logger.getLogger(MessageFeed.class.getName());

    private final String client;
    private final ShardTable table;
    private final MessageSink sink;
    private final SequenceTracker sequences = new SequenceTracker();
    private final LongAdder messages = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final AtomicLong reconnects = new AtomicLong();
    private volatile long lastMessageAt;
    private volatile String lastError;

    MessageFeed(String client, ShardTable table, MessageSink sink) {
        this.client = client;
        this.table = table;
        this.sink = sink;
    }

    /** A notification from the exchange; only subscribed channels are delivered. */
    void deliver(InboundFrame.Notification notification, long now) {
        String channel = notification.channel();
        if (!table.subscribed(channel)) {
            return;
        }
        SequenceTracker.Continuity continuity =
                sequences.track(channel, notification.previous(), notification.sequence(), notification.snapshot());
        if (continuity == SequenceTracker.Continuity.DUPLICATE) {
            duplicates.increment();
            return;
        }
        boolean gap = continuity == SequenceTracker.Continuity.GAP;
        if (gap) {
            gaps.increment();
            LOG.log(Level.FINE, "client {0} channel {1}: gap before sequence {2}", new Object[] {
                client, channel, notification.sequence()
            });
        }
        messages.increment();
        lastMessageAt = now;
        long sequence = notification.sequenced() ? notification.sequence() : MarketMessage.NO_SEQUENCE;
        long previous = notification.snapshot() ? MarketMessage.NO_SEQUENCE : notification.previous();
        sink.publish(new MarketMessage(client, channel, sequence, previous, now, gap, notification.data()));
    }

    /** A channel was unsubscribed: a later subscription starts its sequence afresh. */
    void forget(String channel) {
        sequences.forget(channel);
    }

    /** A frame that could not be read or handled. */
    void malformed() {
        malformed.increment();
    }

    /** A live session was lost and is being replaced. */
    void reconnected() {
        reconnects.incrementAndGet();
    }

    /** The last problem seen, shown as the client's {@code lastError}. */
    void noteError(String error) {
        lastError = error;
    }

    ConnectionStats stats(int liveSessions, Map<String, ChannelStatus> channels) {
        return new ConnectionStats(
                messages.sum(),
                lastMessageAt,
                gaps.sum(),
                duplicates.sum(),
                malformed.sum(),
                reconnects.get(),
                lastError,
                liveSessions,
                channels);
    }
}
