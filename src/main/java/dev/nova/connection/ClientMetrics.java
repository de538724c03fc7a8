package dev.nova.connection;

import dev.nova.model.ClientState;
import java.util.List;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The gauges of each client this node runs (messages, gaps, duplicates, reconnects, connected), tagged with its
 * name. They read the client's counters when scraped (no work on the message path) and are removed when the node
 * lets go of the client.
 */
final class ClientMetrics {

    private static final List<String> NAMES = List.of(
            "nova.client.messages",
            "nova.client.gaps",
            "nova.client.duplicates",
            "nova.client.reconnects",
            "nova.client.connected");

    private final MetricRegistry registry;

    ClientMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    /** Gauges of a client this node now runs. */
    void running(ClientConnection connection) {
        Tag client = new Tag("client", connection.spec().name());
        gauge("nova.client.messages", connection, ConnectionStats::messagesReceived, client);
        gauge("nova.client.gaps", connection, ConnectionStats::gaps, client);
        gauge("nova.client.duplicates", connection, ConnectionStats::duplicates, client);
        gauge("nova.client.reconnects", connection, ConnectionStats::reconnects, client);
        registry.gauge("nova.client.connected", connection, c -> c.state() == ClientState.CONNECTED ? 1 : 0, client);
    }

    /** Removes the gauges of a client this node no longer runs. */
    void released(String name) {
        Tag client = new Tag("client", name);
        for (String metric : NAMES) {
            registry.remove(new MetricID(metric, client));
        }
    }

    private void gauge(String name, ClientConnection connection, ToLongFunction<ConnectionStats> read, Tag tag) {
        registry.gauge(name, connection, c -> read.applyAsLong(c.stats()), tag);
    }
}
