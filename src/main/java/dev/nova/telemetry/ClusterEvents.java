package dev.nova.telemetry;

import dev.nova.cluster.ClusterBus;
import dev.nova.model.NodeIdentity;
import dev.nova.stream.StreamHub;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Publishes a {@link ClusterEvent} everywhere an operator may look: the log, a CDI event, {@code GET /api/events}
 * on every node (events other than membership changes are sent to the other members over the cluster bus) and the
 * {@code nova_cluster_events_total} counter (tag {@code type}). Call it from a managed thread.
 */
@ApplicationScoped
public class ClusterEvents {

    private static final Logger LOG = Logger.getLogger(ClusterEvents.class.getName());

    private final Event<ClusterEvent> cdi;
    private final StreamHub hub;
    private final MetricRegistry metrics;
    private final NodeIdentity node;
    private final ClusterBus bus;

    @Inject
    public ClusterEvents(
            Event<ClusterEvent> cdi, StreamHub hub, MetricRegistry metrics, NodeIdentity node, ClusterBus bus) {
        this.cdi = cdi;
        this.hub = hub;
        this.metrics = metrics;
        this.node = node;
        this.bus = bus;
    }

    protected ClusterEvents() {
        this(null, null, null, null, null);
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
        String json = event.toJson();
        hub.publishEvent(event.type(), json);
        if (!type.equals(ClusterEvent.NODE_JOINED) && !type.equals(ClusterEvent.NODE_LEFT)) {
            // Every node sees membership changes itself; the rest happens on one node and is told to all.
            bus.broadcastEvent(type, json);
        }
        cdi.fire(event);
        return event;
    }
}
