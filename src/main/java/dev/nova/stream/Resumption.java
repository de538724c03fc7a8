package dev.nova.stream;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stream opened with {@code Last-Event-ID}: what the consumer already has, and the messages that arrive while the
 * missed ones are gathered. Until {@link #release} the live messages are held; then the missed messages go out
 * first, oldest first per client and channel, and the held and later live ones follow with everything at or before
 * what was sent dropped. The first message of a client and channel that does not follow what the consumer had is
 * marked {@code gap: true}.
 *
 * <p>An event id is a sequence number, and a sequence belongs to one channel. A stream of one channel resumes that
 * channel from the id. A stream of several resumes the channel the id is found in (among the messages gathered);
 * for the others nobody knows where the consumer stopped, so they start live and their first message is a gap (all of
 * them, when the id is found in several channels).
 */
final class Resumption {

    private final long lastId;
    private final Set<String> channels;
    private final SseConsumer consumer;
    /** Live messages held at most while the missed ones are gathered: past it the stream ends, as a slow one does. */
    private final int holdLimit;
    /** The last sequence the consumer has, by {@code client|channel}. */
    private final Map<String, Long> floors = new HashMap<>();
    /** The sequence the consumer has of the channels the id resumes; the others are unknown. */
    private final Map<String, Long> resumed = new HashMap<>();
    /** Keys whose first live message went out: later ones need no look (the hub drops duplicates itself). */
    private final Set<String> passed = new HashSet<>();
    /** Live messages that came before the release; null once released. */
    private List<MarketMessage> held = new ArrayList<>();
    /**
     * Every client and channel known at the release, and every channel of the stream, has had its first live
     * message: from then on a live message needs no look (the hub drops duplicates itself) and no lock.
     */
    private volatile boolean settled;

    Resumption(long lastId, Collection<String> channels, SseConsumer consumer, int holdLimit) {
        this.lastId = lastId;
        this.channels = Set.copyOf(channels);
        this.consumer = consumer;
        this.holdLimit = holdLimit;
    }

    long lastId() {
        return lastId;
    }

    /**
     * A live message for this consumer: null to write nothing now (held, or already sent), else what to write —
     * {@code framed} itself, or the message framed again as a gap.
     */
    SseConsumer.Item admit(MarketMessage message, SseConsumer.Item framed) {
        return settled ? framed : look(message, framed);
    }

    private synchronized SseConsumer.Item look(MarketMessage message, SseConsumer.Item framed) {
        if (held != null) {
            if (held.size() >= holdLimit) {
                consumer.overflowed();
            } else {
                held.add(message);
            }
            return null;
        }
        return pass(message, framed, true);
    }

    /**
     * Sends the missed messages of the channels the id resumes (gathered from the id on, from any node, duplicates
     * allowed), then what was held; from now on live messages pass through {@link #admit}. The other channels'
     * messages are not replayed: the consumer may have had them.
     */
    synchronized void release(Collection<MarketMessage> missed) {
        Map<String, List<MarketMessage>> byKey = new LinkedHashMap<>();
        missed.stream()
                .filter(m -> m.sequenced() && channels.contains(m.channel()))
                .sorted(Comparator.comparingLong(MarketMessage::receivedAt))
                .forEach(m ->
                        byKey.computeIfAbsent(key(m), k -> new ArrayList<>()).add(m));
        if (channels.size() == 1) {
            resumed.put(channels.iterator().next(), lastId);
        } else {
            // The channel whose messages hold the id; when several do, nobody can tell which the consumer meant.
            Set<String> holding = new HashSet<>();
            missed.stream()
                    .filter(m -> m.sequence() == lastId && channels.contains(m.channel()))
                    .forEach(m -> holding.add(m.channel()));
            if (holding.size() == 1) {
                resumed.put(holding.iterator().next(), lastId);
            }
        }
        for (List<MarketMessage> messages : byKey.values()) {
            if (!resumed.containsKey(messages.get(0).channel())) {
                continue;
            }
            messages.sort(Comparator.comparingLong(MarketMessage::sequence));
            for (MarketMessage message : messages) {
                offer(pass(message, null, false));
            }
        }
        List<MarketMessage> live = held;
        held = null;
        for (MarketMessage message : live) {
            offer(pass(message, null, false));
        }
    }

    private void offer(SseConsumer.Item item) {
        if (item != null) {
            consumer.offer(item);
        }
    }

    private SseConsumer.Item pass(MarketMessage message, SseConsumer.Item framed, boolean live) {
        if (!message.sequenced()) {
            return framed != null ? framed : frame(message);
        }
        String key = key(message);
        if (live && passed.contains(key)) {
            return framed;
        }
        Long floor = floors.get(key);
        if (floor == null) {
            floor = resumed.get(message.channel());
        }
        boolean gap;
        if (floor == null) {
            // The id is of another channel: nothing says where the consumer stopped on this one.
            gap = true;
        } else if (message.sequence() <= floor) {
            return null;
        } else if (message.previous() != MarketMessage.NO_SEQUENCE) {
            // Judged against what this consumer has, not the flag of the node that kept the copy (it may have
            // missed a message another node supplied).
            gap = message.previous() > floor;
        } else {
            gap = message.gap();
        }
        floors.put(key, message.sequence());
        if (live && passed.add(key)) {
            settled = passed.containsAll(floors.keySet())
                    && channels.stream().allMatch(c -> passed.stream().anyMatch(k -> k.endsWith('|' + c)));
        }
        if (gap != message.gap()) {
            return frame(message.withGap(gap));
        }
        return framed != null ? framed : frame(message);
    }

    private static SseConsumer.Item frame(MarketMessage message) {
        return new SseConsumer.Item(SseFrames.message(message), true);
    }

    private static String key(MarketMessage message) {
        return message.client() + '|' + message.channel();
    }
}
