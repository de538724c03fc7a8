package dev.nova.stream;

import dev.nova.cluster.ClusterBus;
import dev.nova.telemetry.ClusterEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Puts cluster events on the event streams ({@code GET /api/events}) of every node: an event published here goes to
 * this node's streams and, unless it is a membership change (which every node sees for itself), to the other members
 * over the cluster bus, whose events go to this node's streams. With {@code nova.cluster.components.telemetry=false}
 * this node sends none of its own (it still shows what the other members send).
 */
@ApplicationScoped
public class EventRelay {

    private static final Logger LOG = Logger.getLogger(EventRelay.class.getName());

    private final StreamHub hub;
    private final ClusterBus bus;
    private final boolean distribute;

    @Inject
    public EventRelay(StreamHub hub, ClusterBus bus, StreamSettings settings) {
        this.hub = hub;
        this.bus = bus;
        this.distribute = settings == null || settings.distributeEvents();
    }

    protected EventRelay() {
        this(null, null, null);
    }

    @PostConstruct
    void start() {
        bus.listen(ClusterBus.Topic.CLUSTER_EVENT, (array, offset, length) -> {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(array, offset, length));
            hub.publishEvent(in.readUTF(), in.readUTF());
        });
    }

    /** Starts with the application: other nodes may send events before anything here is published. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers it on the cluster bus.
    }

    void onEvent(@Observes ClusterEvent event) {
        String json = event.toJson();
        hub.publishEvent(event.type(), json);
        if (!distribute
                || event.type().equals(ClusterEvent.NODE_JOINED)
                || event.type().equals(ClusterEvent.NODE_LEFT)) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(json.length() + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(event.type());
            out.writeUTF(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            bus.broadcast(ClusterBus.Topic.CLUSTER_EVENT, bytes.toByteArray());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "event " + event.type() + " not sent to the other nodes", e);
        }
    }
}
