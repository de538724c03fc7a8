/**
 * Binance spot market streams on the combined-stream endpoint ({@code /stream}): live {@code SUBSCRIBE} /
 * {@code UNSUBSCRIBE} with ids, {@code {"stream":…,"data":…}} envelopes, the 1024-streams-per-connection cap, and
 * the sequence numbers that reveal gaps: depth {@code U}/{@code u}, trade {@code t}, aggregate trade {@code a}.
 * Binance sends no JSON heartbeats; liveness is WebSocket ping/pong. Nothing outside this package knows these names.
 */
package dev.nova.platform.binance;
