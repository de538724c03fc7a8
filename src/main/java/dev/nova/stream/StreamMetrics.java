package dev.nova.stream;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/** The stream gauges of {@code /metrics}: consumers, consumers dropped by reason, writes, events, forwarding. */
@ApplicationScoped
public class StreamMetrics {

    private static final List<String> DROP_REASONS = List.of("buffer-full", "send-timeout", "lagging");

    private final MetricRegistry registry;
    private final StreamHub hub;

    @Inject
    public StreamMetrics(MetricRegistry registry, StreamHub hub) {
        this.registry = registry;
        this.hub = hub;
    }

    protected StreamMetrics() {
        this(null, null);
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
    }

    /** Registers the gauges at startup, so that they are scraped before the first stream opens. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers the gauges.
    }
}
