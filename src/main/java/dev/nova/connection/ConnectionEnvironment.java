package dev.nova.connection;

import dev.nova.platform.SecretBox;
import dev.nova.ratelimit.OutboundGate;
import dev.nova.stream.MessageSink;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.DoubleSupplier;

/**
 * What every {@link ClientConnection} of a node shares.
 *
 * @param control pool for the clients' serial lanes; their tasks never block on the network
 * @param connector pool for blocking work (WebSocket handshakes), kept apart so a slow exchange cannot stall the
 *     lanes of every other client
 * @param inbound pool that handles the frames sessions receive ({@link FrameLane}), beside the reading threads
 * @param reports pool on which the states a client reaches are told to {@code listener}, in order, one client at a
 *     time: the listener writes them to the replicated registry, which waits on the other members, and a write caught
 *     by a hang or a cut must never hold up the lane that closes the client's sessions
 * @param random source of backoff jitter
 * @param secrets opens the clients' sealed exchange secrets, only to authenticate
 */
public record ConnectionEnvironment(
        ConnectionSettings settings,
        ExchangeTransport transport,
        OutboundGate gate,
        MessageSink sink,
        ScheduledExecutorService timers,
        Executor control,
        Executor connector,
        Executor inbound,
        Executor reports,
        ConnectionListener listener,
        DoubleSupplier random,
        SecretBox secrets) {}
