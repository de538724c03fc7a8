package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.api.Dtos.ClientView;
import dev.nova.ownership.Takeover;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Manual failover: {@code /api/failover}. */
@Path("failover")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "failover", description = "Moving clients between nodes by hand")
public class FailoverResource {

    private final Takeover takeover;
    private final Views views;

    @Inject
    public FailoverResource(Takeover takeover, Views views) {
        this.takeover = takeover;
        this.views = views;
    }

    protected FailoverResource() {
        this(null, null);
    }

    @POST
    @Path("takeover")
    @Operation(
            summary = "Take clients over",
            description =
                    "Moves the client (or, without client, every client) "
                            + "owned by sourceNode to the node that received this request, at a new epoch; the old owner lets go")
    @APIResponse(responseCode = "200", description = "The clients taken over")
    @APIResponse(
            responseCode = "404",
            description = "Unknown node or client",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "The client is not owned by sourceNode, is pinned, or " + "sourceNode is this node",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public List<ClientView> takeover(Dtos.Takeover body) {
        if (body == null || body.sourceNode() == null || body.sourceNode().isBlank()) {
            throw NovaException.invalid("sourceNode is required");
        }
        String client = body.client() == null || body.client().isBlank() ? null : body.client();
        return takeover.takeOver(client, body.sourceNode()).stream()
                .map(views::client)
                .toList();
    }
}
