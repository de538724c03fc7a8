package dev.nova.connection;

import java.util.Map;

/**
 * Counters of one running client, kept on its owner node only (never a replicated write per message).
 *
 * @param lastMessageAt epoch milliseconds of the last delivered message, 0 if none
 * @param lastError the last problem seen (connect failure, exchange error, stale feed), or null
 * @param sessions WebSocket sessions currently live
 * @param channels every subscribed channel and its standing at the exchange
 */
public record ConnectionStats(
        long messagesReceived,
        long lastMessageAt,
        long gaps,
        long duplicates,
        long malformed,
        long reconnects,
        String lastError,
        int sessions,
        Map<String, ChannelStatus> channels) {}
