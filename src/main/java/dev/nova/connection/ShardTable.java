package dev.nova.connection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * Which session of a client carries which channel, and each channel's standing at the exchange. A client's channels
 * are spread over shards of at most the exchange's limit per session (Deribit: one shard; Binance: 1024 streams
 * each); each shard is carried by one session at a time. The table is changed on the client's lane only; the
 * channels' standing and a snapshot of the shards are read anywhere.
 */
final class ShardTable {

    /** A slot of channels carried by one session at a time; its fields belong to the client's lane. */
    static final class Shard {
        final int index;
        final Set<String> channels = new LinkedHashSet<>();
        final Reconnects reconnects = new Reconnects();
        volatile ExchangeSession session;
        ScheduledFuture<?> retry;
        boolean retired;

        Shard(int index) {
            this.index = index;
        }

        boolean live() {
            ExchangeSession current = session;
            return current != null && current.isLive();
        }
    }

    private final int maxPerSession;
    /** Subscribed channels and their standing; written on the lane only, read anywhere. */
    private final ConcurrentHashMap<String, ChannelStatus> standing = new ConcurrentHashMap<>();

    private final List<Shard> shards = new ArrayList<>();
    private final Map<String, Shard> shardOf = new HashMap<>();
    private int nextShard;
    /** Shards as last published by the lane, for readers on other threads. */
    private volatile List<Shard> snapshot = List.of();

    ShardTable(int maxPerSession) {
        this.maxPerSession = maxPerSession;
    }

    /** The shards, in a copy the caller may iterate while the table changes. */
    List<Shard> shards() {
        return List.copyOf(shards);
    }

    /** Whether every shard has a live session (and there is one): the client is connected. */
    boolean allLive() {
        return !shards.isEmpty() && shards.stream().allMatch(Shard::live);
    }

    Shard byIndex(int index) {
        for (Shard shard : shards) {
            if (shard.index == index) {
                return shard;
            }
        }
        return null;
    }

    /** Whether a channel is subscribed (or being subscribed): only those are delivered. Any thread. */
    boolean subscribed(String channel) {
        return standing.containsKey(channel);
    }

    /** The channels and their standing. Any thread. */
    Map<String, ChannelStatus> standing() {
        return Map.copyOf(standing);
    }

    /** The channels and their standing, in a copy the caller owns. Any thread. */
    Map<String, ChannelStatus> standingCopy() {
        return new LinkedHashMap<>(standing);
    }

    ChannelStatus status(String channel) {
        return standing.get(channel);
    }

    /** Moves a channel from {@code from} to {@code to}, if it still stands at {@code from}. */
    void mark(String channel, ChannelStatus from, ChannelStatus to) {
        standing.replace(channel, from, to);
    }

    /** Sessions that are live now. Any thread. */
    int liveSessions() {
        int live = 0;
        for (Shard shard : snapshot) {
            if (shard.live()) {
                live++;
            }
        }
        return live;
    }

    Shard newShard() {
        Shard shard = new Shard(nextShard++);
        shards.add(shard);
        publish();
        return shard;
    }

    /** Records new channels as PENDING and places each on a shard with room; returns them by shard. */
    Map<Shard, List<String>> assign(Collection<String> wanted) {
        Map<Shard, List<String>> added = new LinkedHashMap<>();
        for (String channel : wanted) {
            if (standing.putIfAbsent(channel, ChannelStatus.PENDING) != null) {
                continue;
            }
            Shard shard = shardWithRoom();
            shard.channels.add(channel);
            shardOf.put(channel, shard);
            added.computeIfAbsent(shard, s -> new ArrayList<>()).add(channel);
        }
        return added;
    }

    /** Forgets channels; returns those that were subscribed, by the shard that carried them. */
    Map<Shard, List<String>> remove(Collection<String> unwanted) {
        Map<Shard, List<String>> removed = new LinkedHashMap<>();
        for (String channel : unwanted) {
            if (standing.remove(channel) == null) {
                continue;
            }
            Shard shard = shardOf.remove(channel);
            shard.channels.remove(channel);
            removed.computeIfAbsent(shard, s -> new ArrayList<>()).add(channel);
        }
        return removed;
    }

    /** Closes a shard's session and cancels its reconnect; its channels are confirmed again on the next session. */
    void close(Shard shard) {
        if (shard.retry != null) {
            shard.retry.cancel(false);
            shard.retry = null;
        }
        ExchangeSession session = shard.session;
        shard.session = null;
        if (session != null) {
            session.close();
        }
        unconfirm(shard);
    }

    /** The sessions live now. Any thread. */
    List<ExchangeSession> live() {
        List<ExchangeSession> live = new ArrayList<>();
        for (Shard shard : snapshot) {
            ExchangeSession session = shard.session;
            if (shard.live() && session != null) {
                live.add(session);
            }
        }
        return live;
    }

    /** A shard's confirmed channels are not confirmed on its next session. */
    void unconfirm(Shard shard) {
        shard.channels.forEach(channel -> standing.replace(channel, ChannelStatus.ACTIVE, ChannelStatus.PENDING));
    }

    /** Takes an emptied shard out of the table (its session must be closed by the caller). */
    void retire(Shard shard) {
        shard.retired = true;
        shards.remove(shard);
        publish();
    }

    /** Makes the current shards visible to readers on other threads. */
    void publish() {
        snapshot = List.copyOf(shards);
    }

    private Shard shardWithRoom() {
        for (Shard shard : shards) {
            if (!shard.retired && shard.channels.size() < maxPerSession) {
                return shard;
            }
        }
        return newShard();
    }
}
