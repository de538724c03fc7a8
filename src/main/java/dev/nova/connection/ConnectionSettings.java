package dev.nova.connection;

import java.time.Duration;

/**
 * How this node runs exchange sessions.
 *
 * @param connectTimeout bound on opening one WebSocket session
 * @param requestTimeout bound on waiting for the answer to one request
 * @param heartbeatIntervalSeconds Deribit {@code set_heartbeat} interval; also Nova's ping interval on Binance
 * @param staleTimeout a session that receives nothing for this long is considered dead and reconnected
 * @param backoff reconnect policy
 * @param backoffResetAfter a session that stayed up this long starts the next outage at the first backoff step
 * @param maxMessageBytes largest text frame accepted from an exchange
 */
public record ConnectionSettings(
        Duration connectTimeout,
        Duration requestTimeout,
        int heartbeatIntervalSeconds,
        Duration staleTimeout,
        BackoffPolicy backoff,
        Duration backoffResetAfter,
        int maxMessageBytes) {}
