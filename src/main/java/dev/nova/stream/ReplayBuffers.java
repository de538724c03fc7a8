package dev.nova.stream;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The last sequenced messages of each channel this node delivers or forwards, for consumers that reconnect with
 * {@code Last-Event-ID}. A channel's buffer exists while someone in the cluster streams it, and for the retention
 * time after; it holds at most {@code size} messages (of all the clients feeding the channel), the oldest going
 * first. Unsequenced messages are not kept: nothing could say where a consumer stopped.
 */
final class ReplayBuffers {

    /**
     * One channel's last messages, of every client that feeds it, oldest first: a ring written under its lock (one
     * writer at a time in practice, the thread handling the channel's frames; a lock rather than a lock-free ring
     * because a resume relies on it: a message added before a consumer registered is seen by that consumer's read).
     */
    static final class Channel {
        private final MarketMessage[] ring;
        private int next;
        private int count;
        /** Messages ever added: the sweep tells a channel still arriving from a frozen one by it. */
        private long added;
        /** What {@link #added} was at the last sweep. */
        private long addedAtSweep;
        /** When the channel was last wanted (a consumer here, or a message arriving); read by the sweep. */
        private volatile long wantedAt;

        private Channel(int size, long now) {
            this.ring = new MarketMessage[size];
            this.wantedAt = now;
        }

        synchronized void add(MarketMessage message) {
            ring[next] = message;
            added++;
            next = next + 1 == ring.length ? 0 : next + 1;
            if (count < ring.length) {
                count++;
            }
        }

        /** The messages after {@code sequence}, oldest first, of one client or of every client (null). */
        synchronized List<MarketMessage> after(String client, long sequence) {
            List<MarketMessage> found = new ArrayList<>();
            int at = oldest();
            for (int i = 0; i < count; i++, at = at + 1 == ring.length ? 0 : at + 1) {
                MarketMessage message = ring[at];
                if ((client == null || client.equals(message.client())) && message.sequence() > sequence) {
                    found.add(message);
                }
            }
            return found;
        }

        /**
         * Whether this buffer alone can say what followed {@code sequence}: it holds a message of a wanted client, and
         * the oldest it holds of each is at or before it.
         */
        synchronized boolean reachesBack(String client, long sequence) {
            Set<String> seen = new HashSet<>();
            int at = oldest();
            for (int i = 0; i < count; i++, at = at + 1 == ring.length ? 0 : at + 1) {
                MarketMessage message = ring[at];
                if ((client == null || client.equals(message.client())) && seen.add(message.client())) {
                    if (message.sequence() > sequence) {
                        return false;
                    }
                }
            }
            return !seen.isEmpty();
        }

        /** Whether messages arrived since the last call (the sweep's). */
        synchronized boolean arrived() {
            boolean arrived = added != addedAtSweep;
            addedAtSweep = added;
            return arrived;
        }

        private int oldest() {
            int at = next - count;
            return at < 0 ? at + ring.length : at;
        }
    }

    private final int size;
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();

    /** @param size messages kept per channel; 0 keeps none */
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
     * Marks the channels still wanted (consumed here, or still arriving: this node runs their client, or receives them
     * for its own consumers, lingering ones included), and drops those not wanted for longer than {@code
     * retentionMillis}: a frozen buffer (say, of a client that moved away) serves nobody. Answers the channels dropped.
     */
    List<String> sweep(Predicate<String> consumed, long retentionMillis) {
        long now = now();
        List<String> dropped = new ArrayList<>();
        channels.forEach((channel, buffer) -> {
            if (buffer.arrived() | consumed.test(channel)) {
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
