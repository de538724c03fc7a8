/**
 * Live exchange sessions on the node that owns a client. {@link dev.nova.connection.ConnectionManager} owns one
 * {@link dev.nova.connection.ClientConnection} per running client; a client runs one WebSocket session per shard
 * of channels (one for Deribit, one per 1024 streams on Binance). Each session connects, sets up heartbeats,
 * authenticates and subscribes; a stale feed, an exchange close or an error leads to a reconnect with
 * exponential backoff and jitter, then re-authentication and resubscription. Lifecycle work for a client runs on
 * its own serial lane. A session's reading thread only reads frames (Tyrus' framing and UTF-8 decoding) and hands them
 * to the session's {@link dev.nova.connection.FrameLane}, where they are decoded, sequenced and handed on in arrival
 * order, beside the reading: one busy connection then uses two cores. Tyrus is reached only
 * through {@link dev.nova.connection.ExchangeTransport}, so the lifecycle is unit-tested without a network.
 */
package dev.nova.connection;
