package dev.nova.connection;

import dev.nova.ratelimit.OutboundGate;
import dev.nova.stream.MessageSink;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.DoubleSupplier;

/**
 * What every {@link ClientConnection} of a node shares.
 *
 * @param control pool for lifecycle work that may block (connect, close) and for the clients' serial lanes
 * @param random source of backoff jitter
 */
public record ConnectionEnvironment(
        ConnectionSettings settings,
        ExchangeTransport transport,
        OutboundGate gate,
        MessageSink sink,
        ScheduledExecutorService timers,
        Executor control,
        ConnectionListener listener,
        DoubleSupplier random) {}
