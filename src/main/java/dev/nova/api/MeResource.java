package dev.nova.api;

import dev.nova.api.Dtos.Me;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/me}: the caller and its roles, so a page can offer only the actions the API will accept. */
@Path("me")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "cluster")
public class MeResource {

    @GET
    @Operation(summary = "The caller", description = "The authenticated user and its Nova roles")
    @APIResponse(responseCode = "200", description = "The caller")
    public Me me(@Context SecurityContext security) {
        List<String> roles = new ArrayList<>();
        for (String role : List.of(OpenApiRoles.ADMIN, OpenApiRoles.READER)) {
            if (security.isUserInRole(role)) {
                roles.add(role);
            }
        }
        String user = security.getUserPrincipal() == null
                ? null
                : security.getUserPrincipal().getName();
        return new Me(user, roles, roles.contains(OpenApiRoles.ADMIN));
    }
}
