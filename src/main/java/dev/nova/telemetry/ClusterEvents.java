package dev.nova.telemetry;

import dev.nova.model.NodeIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Publishes a {@link ClusterEvent}: logs it, counts it ({@code nova_cluster_events_total}, tag {@code type}) and fires
 * it as a CDI event, which the features that show events observe (the event streams of every node). Call it from a
 * managed thread.
 */
@ApplicationScoped
public class ClusterEvents {

    private static final Logger LOG = Logger.getLogger(ClusterEvents.class.getName());

    private final Event<ClusterEvent> cdi;
    private final MetricRegistry metrics;
    private final NodeIdentity node;

    @Inject
    public ClusterEvents(Event<ClusterEvent> cdi, MetricRegistry metrics, NodeIdentity node) {
        this.cdi = cdi;
        this.metrics = metrics;
        this.node = node;
    }

    protected ClusterEvents() {
        this(null, null, null);
    }

    /** An event about this node (or one of its clients). */
    public ClusterEvent publish(String type, String client, Long durationMs, String detail) {
        return publish(type, node.name(), client, durationMs, detail);
    }

    /** An event about {@code subject}, e.g. the node that joined or left, as this node saw it. */
    public ClusterEvent publish(String type, String subject, String client, Long durationMs, String detail) {
        ClusterEvent event = new ClusterEvent(type, subject, client, durationMs, System.currentTimeMillis(), detail);
        LOG.info(() -> "NOVA-6001 " + type + " node " + subject + (client == null ? "" : " client " + client)
                + (durationMs == null ? "" : " in " + durationMs + " ms") + (detail == null ? "" : ": " + detail));
        metrics.counter("nova.cluster.events", new Tag("type", type)).inc();
        cdi.fire(event);
        return event;
    }
}
