package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.model.Names;
import dev.nova.ownership.Drain;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** One member of the cluster: {@code /api/cluster/nodes/{name}/drain}. */
@Path("cluster/nodes")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "cluster", description = "Membership, regions, health and diagnostics")
public class NodesResource {

    private final Drain drain;

    @Inject
    public NodesResource(Drain drain) {
        this.drain = drain;
    }

    protected NodesResource() {
        this(null);
    }

    @POST
    @Path("{name}/drain")
    @Operation(
            summary = "Drain a node",
            description = "The node moves every client it runs to other members by make-before-break transfers "
                    + "(consumers see no gap), and no client is placed, failed over, transferred or rebalanced onto "
                    + "it meanwhile; its status goes from draining to drained (GET /api/cluster, nodes[].status). "
                    + "Asking again answers where the drain stands")
    @APIResponse(responseCode = "202", description = "The node's drain: {node, status, clients, since, detail}")
    @APIResponse(
            responseCode = "404",
            description = "No such member",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "The node runs alone, or its side holds no quorum",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response drain(@PathParam("name") String name) {
        return Response.accepted(drain.drain(checked(name))).build();
    }

    @DELETE
    @Path("{name}/drain")
    @Operation(
            summary = "Stop draining a node",
            description = "Clients may be placed on the node again; those it moved away stay where they went "
                    + "(load balancing may bring some back)")
    @APIResponse(responseCode = "200", description = "The node's drain: status active")
    @APIResponse(
            responseCode = "404",
            description = "No such member",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Drain.Report undrain(@PathParam("name") String name) {
        return drain.undrain(checked(name));
    }

    private static String checked(String name) {
        if (name == null || !Names.NAME.matcher(name).matches()) {
            throw NovaException.invalid("'" + name + "' is not a node name");
        }
        return name;
    }
}
