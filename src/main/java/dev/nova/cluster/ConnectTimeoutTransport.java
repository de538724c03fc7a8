package dev.nova.cluster;

import java.io.DataInput;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;
import org.jgroups.PhysicalAddress;
import org.jgroups.annotations.ManagedAttribute;
import org.jgroups.blocks.cs.Connection;
import org.jgroups.protocols.MERGE3;
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
 *
 * <p>The same for a connection to a non-member that was established and then cut: the kernel retransmits its unacknowledged
 * data with exponential backoff (0.2, 0.6, 1.4, 3, 6.2, 12.6, 25.4 s after the cut), and every discovery request,
 * merge message and response to that member queues behind it. A connection opened during a heal that lasted a moment,
 * cut again and healed 15 s later, carried nothing for another 10 s: the merge after a 2|2 split waited for it. Such a
 * connection is closed too: to a node not in this node's current view, with nothing received from it since the first
 * message sent to it {@link #staleAfterMs()} ago. A reachable non-member talks back well within that: discovery runs
 * every 1 to 1.5 times MERGE3's maximum interval in each direction, and a join or merge response comes after at most
 * a view-ack or digest round (2 to 2.5 s). A closed connection that was healthy costs a reconnect (UNICAST3
 * retransmits what it carried). Members' connections are left alone: the failure detector judges those, and so is
 * everything while this node has no view yet.
 */
public class ConnectTimeoutTransport extends TCP_NIO2 {

    /** How often connections are looked at. */
    private static final long CHECK_MS = 250;

    /** When each pending connection was first seen pending, in nanoseconds. */
    private final Map<Connection, Long> pendingSince = new ConcurrentHashMap<>();

    private final LongAdder abandoned = new LongAdder();

    /** Per peer (physical address): when the first message sent to it since the last one received from it left. */
    private final Map<Address, Long> unansweredSince = new ConcurrentHashMap<>();

    private final LongAdder stale = new LongAdder();
    private Future<?> checks;

    @ManagedAttribute(description = "Connects abandoned because they did not complete within sock_conn_timeout")
    public long abandonedConnects() {
        return abandoned.sum();
    }

    @ManagedAttribute(description = "Connections to non-members closed because nothing came back on them")
    public long staleConnectionsClosed() {
        return stale.sum();
    }

    /** How long an open connection to a non-member may go without anything coming back: 4 s by default. */
    long staleAfterMs() {
        MERGE3 merge = stack == null ? null : stack.findProtocol(MERGE3.class);
        long mergeInterval = merge == null ? 0 : merge.getMaxInterval();
        return Math.max(4 * sock_conn_timeout, 2 * mergeInterval);
    }

    @Override
    public void send(Address dest, byte[] data, int offset, int length) throws Exception {
        unansweredSince.putIfAbsent(dest, System.nanoTime());
        super.send(dest, data, offset, length);
    }

    @Override
    public void receive(Address sender, byte[] data, int offset, int length) {
        unansweredSince.remove(sender);
        super.receive(sender, data, offset, length);
    }

    @Override
    public void receive(Address sender, DataInput in, int length) throws Exception {
        unansweredSince.remove(sender);
        super.receive(sender, in, length);
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
        unansweredSince.clear();
        super.stop();
    }

    private void abandonSlowConnects() {
        if (server == null) {
            return;
        }
        long now = System.nanoTime();
        long timeout = TimeUnit.MILLISECONDS.toNanos(sock_conn_timeout);
        pendingSince.keySet().removeIf(c -> !c.isConnectionPending());
        // Empty while this node has no view yet (a joiner): then nobody is judged a non-member.
        Set<Address> memberAddresses = new HashSet<>();
        long staleAfter = members.isEmpty() ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(staleAfterMs());
        for (Address member : members) {
            PhysicalAddress physical = getPhysicalAddressFromCache(member);
            if (physical != null) {
                memberAddresses.add(physical);
            }
        }
        Set<Address> connected = new HashSet<>();
        server.forAllConnections((address, connection) -> {
            connected.add(address);
            if (!connection.isConnectionPending()) {
                closeIfStale(address, connection, memberAddresses, now, staleAfter);
                return;
            }
            // Not answered yet because not connected yet: the wait for an answer starts once it is.
            unansweredSince.remove(address);
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
        unansweredSince.keySet().retainAll(connected);
    }

    private void closeIfStale(
            Address address, Connection connection, Set<Address> memberAddresses, long now, long staleAfter) {
        Long since = unansweredSince.get(address);
        if (since == null
                || !connection.isConnected()
                || memberAddresses.contains(address)
                || now - since < staleAfter) {
            return;
        }
        unansweredSince.remove(address);
        stale.increment();
        log.debug(
                "%s: nothing came back from non-member %s for %d ms on an open connection: closing it",
                local_addr, address, TimeUnit.NANOSECONDS.toMillis(now - since));
        server.closeConnection(connection);
    }
}
