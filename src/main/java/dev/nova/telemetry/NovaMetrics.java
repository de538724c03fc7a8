package dev.nova.telemetry;

import dev.nova.connection.ClientConnection;
import dev.nova.connection.ConnectionStats;
import dev.nova.model.ClientState;
import dev.nova.ratelimit.RateLimitedGate;
import dev.nova.stream.StreamHub;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Registers Nova's gauges in the application metric registry. Per-client gauges read the owner's counters when
 * scraped (no work on the message path) and are removed when the node lets go of the client.
 */
@ApplicationScoped
public class NovaMetrics {

    private static final List<String> DROP_REASONS = List.of("buffer-full", "send-timeout");

    private final MetricRegistry registry;
    private final StreamHub hub;
    private final RateLimitedGate gate;

    @Inject
    public NovaMetrics(MetricRegistry registry, StreamHub hub, RateLimitedGate gate) {
        this.registry = registry;
        this.hub = hub;
        this.gate = gate;
    }

    protected NovaMetrics() {
        this(null, null, null);
    }

    @PostConstruct
    void start() {
        registry.gauge("nova.stream.consumers", hub, StreamHub::consumerCount);
        for (String reason : DROP_REASONS) {
            registry.gauge(
                    "nova.stream.consumers.dropped",
                    hub,
                    h -> h.endedByReason().getOrDefault(reason, 0L),
                    new Tag("reason", reason));
        }
        registry.gauge("nova.stream.events.dropped", hub, StreamHub::eventsDropped);
        registry.gauge("nova.stream.writes", hub, StreamHub::streamWrites);
        registry.gauge("nova.stream.events.written", hub, StreamHub::eventsWritten);
        registry.gauge("nova.ratelimit.admitted", gate, RateLimitedGate::admitted);
        registry.gauge("nova.ratelimit.delayed", gate, RateLimitedGate::delayed);
        registry.gauge("nova.ratelimit.rejected", gate, RateLimitedGate::rejected);
        registry.gauge("nova.ratelimit.backoffs", gate, RateLimitedGate::backOffs);
    }

    /** Gauges of a client this node now runs. */
    public void running(ClientConnection connection) {
        Tag client = new Tag("client", connection.spec().name());
        gauge("nova.client.messages", connection, ConnectionStats::messagesReceived, client);
        gauge("nova.client.gaps", connection, ConnectionStats::gaps, client);
        gauge("nova.client.duplicates", connection, ConnectionStats::duplicates, client);
        gauge("nova.client.reconnects", connection, ConnectionStats::reconnects, client);
        registry.gauge("nova.client.connected", connection, c -> c.state() == ClientState.CONNECTED ? 1 : 0, client);
    }

    /** Removes the gauges of a client this node no longer runs. */
    public void released(String name) {
        Tag client = new Tag("client", name);
        for (String metric : List.of(
                "nova.client.messages",
                "nova.client.gaps",
                "nova.client.duplicates",
                "nova.client.reconnects",
                "nova.client.connected")) {
            registry.remove(new MetricID(metric, client));
        }
    }

    private void gauge(String name, ClientConnection connection, ToLongFunction<ConnectionStats> read, Tag tag) {
        registry.gauge(name, connection, c -> read.applyAsLong(c.stats()), tag);
    }
}
