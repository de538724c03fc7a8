/**
 * Live exchange sessions on the node that owns a client. {@code ConnectionManager} owns one {@code ClientConnection}
 * per running client; a client runs one WebSocket session per shard of channels ({@code ShardTable}: one for
 * Deribit, one per 1024 streams on Binance). Each session connects, sets up heartbeats, authenticates and subscribes
 * ({@code SessionSetup}); a stale feed, an exchange close or an error leads to a reconnect after a backoff with
 * jitter ({@code Reconnects}). Lifecycle work for a client runs on its own serial lane. A session's reading thread
 * only reads frames and hands them to the session's {@code FrameLane}, where they are decoded and dispatched
 * ({@code FrameDispatch}) and market data is sequenced and counted ({@code MessageFeed}), beside the reading. Tyrus is
 * reached only through {@code ExchangeTransport}, so the lifecycle is unit-tested without a network.
 */
package dev.nova.connection;
