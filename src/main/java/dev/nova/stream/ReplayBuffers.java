package dev.nova.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The last sequenced messages of each channel this node delivers or forwards, per client, for consumers that
 * reconnect with {@code Last-Event-ID}. A channel's buffer exists while someone in the cluster streams it, and for
 * the retention time after; it holds at most {@code size} messages per client, the oldest going first. Unsequenced
 * messages are not kept: nothing could say where a consumer stopped.
 */
final class ReplayBuffers {

    /** One channel's messages, by client. */
    static final class Channel {
        private final Map<String, ArrayDeque<MarketMessage>> byClient = new HashMap<>();
        private final int size;
        /** When the channel was last wanted (a consumer here, or an interest anywhere); read by the sweep. */
        private volatile long wantedAt;

        private Channel(int size, long now) {
            this.size = size;
            this.wantedAt = now;
        }

        synchronized void add(MarketMessage message) {
            ArrayDeque<MarketMessage> ring = byClient.computeIfAbsent(message.client(), c -> new ArrayDeque<>());
            if (ring.size() == size) {
                ring.removeFirst();
            }
            ring.addLast(message);
        }

        /** The messages after {@code sequence}, oldest first, of one client or of every client (null). */
        synchronized List<MarketMessage> after(String client, long sequence) {
            List<MarketMessage> found = new ArrayList<>();
            byClient.forEach((name, ring) -> {
                if (client == null || client.equals(name)) {
                    for (MarketMessage message : ring) {
                        if (message.sequence() > sequence) {
                            found.add(message);
                        }
                    }
                }
            });
            return found;
        }

        /**
         * Whether this buffer alone can say what followed {@code sequence}: it has a client (of those wanted) and each
         * such client's oldest message is at or before it.
         */
        synchronized boolean reachesBack(String client, long sequence) {
            boolean any = false;
            for (Map.Entry<String, ArrayDeque<MarketMessage>> entry : byClient.entrySet()) {
                if (client == null || client.equals(entry.getKey())) {
                    MarketMessage oldest = entry.getValue().peekFirst();
                    if (oldest == null || oldest.sequence() > sequence) {
                        return false;
                    }
                    any = true;
                }
            }
            return any;
        }
    }

    private final int size;
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();

    /** @param size messages kept per client and channel; 0 keeps none */
    ReplayBuffers(int size) {
        this.size = size;
    }

    boolean enabled() {
        return size > 0;
    }

    /** The channel's buffer, or null when this node keeps none. */
    Channel get(String channel) {
        return channels.get(channel);
    }

    /** The channel's buffer, made when missing (null when replay is off). */
    Channel open(String channel) {
        if (!enabled()) {
            return null;
        }
        Channel buffer = channels.get(channel);
        return buffer != null ? buffer : channels.computeIfAbsent(channel, c -> new Channel(size, now()));
    }

    /** What this node kept of the channels after {@code sequence}, of one client or of every client (null). */
    List<MarketMessage> after(Collection<String> wanted, String client, long sequence) {
        List<MarketMessage> found = new ArrayList<>();
        for (String channel : wanted) {
            Channel buffer = channels.get(channel);
            if (buffer != null) {
                found.addAll(buffer.after(client, sequence));
            }
        }
        return found;
    }

    /** Whether every one of the channels is kept here back to {@code sequence} (no other node need be asked). */
    boolean reachBack(Collection<String> wanted, String client, long sequence) {
        for (String channel : wanted) {
            Channel buffer = channels.get(channel);
            if (buffer == null || !buffer.reachesBack(client, sequence)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Marks the channels still wanted, and drops those not wanted for longer than {@code retentionMillis}; answers
     * the channels dropped.
     */
    List<String> sweep(Predicate<String> wanted, long retentionMillis) {
        long now = now();
        List<String> dropped = new ArrayList<>();
        channels.forEach((channel, buffer) -> {
            if (wanted.test(channel)) {
                buffer.wantedAt = now;
            } else if (now - buffer.wantedAt >= retentionMillis && channels.remove(channel, buffer)) {
                dropped.add(channel);
            }
        });
        return dropped;
    }

    int channelCount() {
        return channels.size();
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }
}
