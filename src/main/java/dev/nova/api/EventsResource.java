package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.stream.StreamHub;
import dev.nova.telemetry.ClusterEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Cluster events as Server-Sent Events: {@code GET /api/events}. */
@Path("events")
@ApplicationScoped
@Tag(name = "events", description = "Cluster events")
public class EventsResource {

    private final StreamHub hub;

    @Inject
    public EventsResource(StreamHub hub) {
        this.hub = hub;
    }

    protected EventsResource() {
        this(null);
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(
            summary = "Stream cluster events",
            description = "Each event is named after its type (e.g. "
                    + "nova.cluster.node.left) with data {type, node, client?, durationMs?, at, detail?}")
    @APIResponse(responseCode = "200", description = "text/event-stream")
    @APIResponse(responseCode = "400", description = "An unknown event type")
    public void events(
            @Parameter(description = "only these types; repeatable") @QueryParam("type") List<String> types,
            @Context SseEventSink sink,
            @Context Sse sse) {
        Set<String> wanted = new LinkedHashSet<>();
        for (String type : types == null ? List.<String>of() : types) {
            if (!ClusterEvent.TYPES.contains(type)) {
                throw NovaException.invalid("'" + type + "' is not an event type; types are " + ClusterEvent.TYPES);
            }
            wanted.add(type);
        }
        hub.openEvents(wanted, sink, sse);
    }
}
