package dev.nova.model;

import org.infinispan.protostream.annotations.Proto;

/**
 * One caller's interest in one channel of one client. Several subscriptions may name the same channel; the
 * exchange is subscribed once and unsubscribed when the last of them goes.
 *
 * @param persistent whether the subscription is re-established on another node when its owner dies
 * @param createdAt epoch milliseconds
 * @param platform the client's platform ({@code deribit}, {@code binance}): a bridged cluster, which sees the
 *     subscriptions but not the clients, knows what the channel names are names of
 */
@Proto
public record Subscription(
        String id, String client, String channel, boolean persistent, long createdAt, String platform) {}
