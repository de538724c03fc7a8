package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.api.Dtos.ClientView;
import dev.nova.api.Dtos.CreateClient;
import dev.nova.api.Dtos.Subscribe;
import dev.nova.api.Dtos.Subscribed;
import dev.nova.client.ClientService;
import dev.nova.client.CredentialRotation;
import dev.nova.model.ClientSpec;
import dev.nova.model.Subscription;
import dev.nova.ownership.TransferService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Clients and their subscriptions: {@code /api/clients}. */
@Path("clients")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "clients", description = "Exchange clients and their subscriptions")
@APIResponse(
        responseCode = "400",
        description = "Malformed or invalid input",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class ClientsResource {

    private final ClientService clients;
    private final TransferService transfers;
    private final CredentialRotation rotation;
    private final Views views;

    @Inject
    public ClientsResource(ClientService clients, TransferService transfers, CredentialRotation rotation, Views views) {
        this.clients = clients;
        this.transfers = transfers;
        this.rotation = rotation;
        this.views = views;
    }

    protected ClientsResource() {
        this(null, null, null, null);
    }

    @GET
    @Operation(summary = "List every client")
    @APIResponse(responseCode = "200", description = "The clients, by name")
    public List<ClientView> list() {
        return views.clients(clients.list());
    }

    @POST
    @Operation(
            summary = "Create a client",
            description = "Creates the client, places it on this node and "
                    + "connects it; channels given here are subscribed persistently. The secret is write-only.")
    @APIResponse(responseCode = "201", description = "Created; Location names the client")
    @APIResponse(
            responseCode = "200",
            description = "A retry: the client exists with these very settings and holds these channels")
    @APIResponse(
            responseCode = "409",
            description = "A client with that name exists with other settings or without these channels",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response create(CreateClient body, @Context UriInfo uri) {
        if (body == null) {
            throw NovaException.invalid("a JSON body is required");
        }
        ClientSpec spec = clients.validator()
                .spec(
                        body.name(),
                        body.platform(),
                        body.url(),
                        body.regionAware(),
                        body.preferredRegion(),
                        body.clusterEnabled(),
                        body.credentials() == null ? null : body.credentials().clientId(),
                        body.credentials() == null ? null : body.credentials().clientSecret());
        ClientService.Creation creation = clients.create(spec, body.channels() == null ? List.of() : body.channels());
        String name = creation.record().name();
        Response.ResponseBuilder answer = creation.created()
                ? Response.created(uri.getAbsolutePathBuilder().path(name).build())
                : Response.ok();
        return answer.entity(views.client(clients.get(name))).build();
    }

    @GET
    @Path("{name}")
    @Operation(summary = "Get one client with its subscriptions and counters")
    @APIResponse(responseCode = "200", description = "The client")
    @APIResponse(
            responseCode = "404",
            description = "No such client",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ClientView get(@PathParam("name") String name) {
        return views.client(clients.get(name));
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Delete a client", description = "Closes its sessions and removes its subscriptions")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(
            responseCode = "404",
            description = "No such client",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(@PathParam("name") String name) {
        clients.delete(name);
        return Response.noContent().build();
    }

    @POST
    @Path("{name}/restart")
    @Operation(summary = "Restart a FAILED or STOPPED client")
    @APIResponse(responseCode = "200", description = "The client, reconnecting")
    @APIResponse(
            responseCode = "409",
            description = "The client is neither FAILED nor STOPPED",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ClientView restart(@PathParam("name") String name) {
        return views.client(clients.restart(name));
    }

    @POST
    @Path("{name}/stop")
    @Operation(
            summary = "Stop a client",
            description = "Closes its sessions on purpose; its subscriptions stay "
                    + "registered and are subscribed again by restart")
    @APIResponse(responseCode = "200", description = "The client, STOPPED")
    @APIResponse(
            responseCode = "409",
            description = "The client is already STOPPED",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ClientView stop(@PathParam("name") String name) {
        return views.client(clients.stop(name));
    }

    @PUT
    @Path("{name}/credentials")
    @Operation(
            summary = "Rotate a client's exchange credentials in place",
            description = "The owner authenticates every live session again with the new key (Deribit public/auth); "
                    + "subscriptions and the stream go on. Only when the exchange accepts it everywhere is it kept, "
                    + "sealed, in the client's record. A client without a live session takes it at its next connect.")
    @APIResponse(responseCode = "200", description = "The client, now using the new credentials")
    @APIResponse(
            responseCode = "404",
            description = "Unknown client",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "The exchange refused the key (its message; the old key stays in use), or the exchange "
                    + "takes no credentials",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "503",
            description = "The owner or the exchange did not answer in time; the old key stays in use",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ClientView rotateCredentials(@PathParam("name") String name, Dtos.CredentialsBody body) {
        if (body == null) {
            throw NovaException.invalid("a JSON body {clientId, clientSecret} is required");
        }
        return views.client(rotation.rotate(name, body.clientId(), body.clientSecret()));
    }

    @POST
    @Path("{name}/transfer")
    @Operation(
            summary = "Transfer a client to another node",
            description =
                    "Make-before-break: the target "
                            + "connects and subscribes first, takes over once it receives data on every channel, and delivers from "
                            + "exactly where the source stopped; past nova.failover.transfer-timeout the source keeps the client")
    @APIResponse(responseCode = "200", description = "The client, owned by the target")
    @APIResponse(
            responseCode = "404",
            description = "Unknown client or target node",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "Target is the owner, the client cannot move now, or the " + "transfer was aborted",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ClientView transfer(@PathParam("name") String name, Dtos.Transfer body) {
        if (body == null || body.targetNode() == null || body.targetNode().isBlank()) {
            throw NovaException.invalid("targetNode is required");
        }
        return views.client(transfers.transfer(name, body.targetNode()));
    }

    @POST
    @Path("{name}/subscriptions")
    @Operation(
            summary = "Subscribe channels",
            description = "Channel syntax is checked per platform: Deribit "
                    + "kind.INSTRUMENT.interval (book.BTC-PERPETUAL.100ms), Binance symbol@stream (btcusdt@trade)")
    @APIResponse(responseCode = "201", description = "The subscriptions created")
    @APIResponse(
            responseCode = "404",
            description = "No such client",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "The subscription id is taken",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response subscribe(@PathParam("name") String name, Subscribe body) {
        if (body == null) {
            throw NovaException.invalid("a JSON body is required");
        }
        List<Subscription> created =
                clients.subscribe(name, body.channels(), body.persistent() == null || body.persistent(), body.id());
        return Response.status(Response.Status.CREATED)
                .entity(new Subscribed(created.stream().map(views::created).toList()))
                .build();
    }

    @DELETE
    @Path("{name}/subscriptions/{id}")
    @Operation(
            summary = "Remove a subscription",
            description =
                    "The exchange is unsubscribed when no other " + "subscription of the client needs the channel")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(
            responseCode = "404",
            description = "No such client or subscription",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response unsubscribe(@PathParam("name") String name, @PathParam("id") String id) {
        clients.unsubscribe(name, id);
        return Response.noContent().build();
    }
}
