package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.cluster.ClusterRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import java.io.StringReader;
import java.util.Set;

/**
 * What a node whose side holds no quorum (paused: a possible minority partition) answers. Writes are refused with
 * 503 problem+json: the majority may be changing the same clients, and what a paused side wrote would be lost or
 * would fight the majority's after the merge. Reads of clients, subscriptions and budgets are answered from this
 * node's copy, marked {@code "stale": true}. The cluster's own endpoints stay open ({@code /api/cluster/forget} is
 * how an operator lets a paused side carry on).
 */
@Provider
@ApplicationScoped
public class PausedSide implements ContainerRequestFilter, ContainerResponseFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> REPLICATED = Set.of("clients", "subscriptions", "ratelimits");

    private final Jsonb jsonb = JsonbBuilder.create();

    /** Field injection: Jakarta REST instantiates providers through a public no-argument constructor. */
    @Inject
    ClusterRuntime cluster;

    @Override
    public void filter(ContainerRequestContext request) {
        if (READS.contains(request.getMethod()) || firstSegment(request).equals("cluster") || !paused()) {
            return;
        }
        throw NovaException.unavailable("this node's side of the cluster holds no quorum of "
                + cluster.view().stable() + " (it sees " + cluster.view().current()
                + "): writes are refused until it is back in the majority; send them to a node of the majority");
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!request.getMethod().equals("GET")
                || response.getStatus() / 100 != 2
                || !REPLICATED.contains(firstSegment(request))
                || response.getEntity() == null
                || !MediaType.APPLICATION_JSON_TYPE.isCompatible(response.getMediaType())
                || !paused()) {
            return;
        }
        JsonValue body = Json.createReader(new StringReader(jsonb.toJson(response.getEntity())))
                .readValue();
        response.setEntity(marked(body), response.getEntityAnnotations(), MediaType.APPLICATION_JSON_TYPE);
    }

    /** The body with {@code "stale": true} in the object, or in each object of an array. */
    static JsonValue marked(JsonValue body) {
        if (body instanceof JsonObject object) {
            return Json.createObjectBuilder(object).add("stale", true).build();
        }
        if (body.getValueType() == JsonValue.ValueType.ARRAY) {
            JsonArrayBuilder array = Json.createArrayBuilder();
            body.asJsonArray().forEach(element -> array.add(marked(element)));
            return array.build();
        }
        return body;
    }

    private boolean paused() {
        return cluster.clustered() && !cluster.view().quorum();
    }

    private static String firstSegment(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        int slash = trimmed.indexOf('/');
        return slash < 0 ? trimmed : trimmed.substring(0, slash);
    }
}
