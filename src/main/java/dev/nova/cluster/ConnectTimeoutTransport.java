package dev.nova.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.annotations.ManagedAttribute;
import org.jgroups.blocks.cs.Connection;
import org.jgroups.protocols.TCP_NIO2;

/**
 * TCP_NIO2 with a bound on connects: a connection still pending {@code sock_conn_timeout} after it was first seen is
 * closed, so the next message to that member opens a fresh one.
 *
 * <p>Why: TCP_NIO2 connects without blocking and never enforces {@code sock_conn_timeout}; its server counts a
 * pending connection as connected and queues every message to that member on it. To a member cut off by the network
 * the kernel retries the SYN with exponential backoff (1, 3, 7, 15, 31, 63 s after the connect), so after the heal
 * the queued discovery, merge and retransmitted messages leave only at the next retry: up to as long again as the cut
 * lasted, and at different times in each direction. Merges took 10 to 36 s after a heal, and a member the coordinator
 * had merged back could be excluded again because its own messages still waited on a pending connect. With the
 * bound, a member that is reachable again is reached within {@code sock_conn_timeout} plus one check of the next
 * message sent to it; while it is not, a fresh SYN every {@code sock_conn_timeout} costs one socket.
 */
public class ConnectTimeoutTransport extends TCP_NIO2 {

    /** How often connections are looked at. */
    private static final long CHECK_MS = 250;

    /** When each pending connection was first seen pending, in nanoseconds. */
    private final Map<Connection, Long> pendingSince = new ConcurrentHashMap<>();

    private final LongAdder abandoned = new LongAdder();
    private Future<?> checks;

    @ManagedAttribute(description = "Connects abandoned because they did not complete within sock_conn_timeout")
    public long abandonedConnects() {
        return abandoned.sum();
    }

    @Override
    public void start() throws Exception {
        super.start();
        checks =
                getTimer().scheduleWithFixedDelay(this::abandonSlowConnects, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (checks != null) {
            checks.cancel(false);
        }
        pendingSince.clear();
        super.stop();
    }

    private void abandonSlowConnects() {
        if (server == null) {
            return;
        }
        long now = System.nanoTime();
        long timeout = TimeUnit.MILLISECONDS.toNanos(sock_conn_timeout);
        pendingSince.keySet().removeIf(c -> !c.isConnectionPending());
        server.forAllConnections((address, connection) -> {
            if (!connection.isConnectionPending()) {
                return;
            }
            long since = pendingSince.computeIfAbsent(connection, c -> now);
            if (now - since >= timeout) {
                pendingSince.remove(connection);
                abandoned.increment();
                log.debug(
                        "%s: connect to %s still pending after %d ms: closing it",
                        local_addr, address, sock_conn_timeout);
                server.closeConnection(connection);
            }
        });
    }
}
