package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.api.Dtos.Adopt;
import dev.nova.api.Dtos.Adopted;
import dev.nova.client.ClientService;
import dev.nova.cluster.Bridges;
import dev.nova.model.ClientRecord;
import dev.nova.model.Subscription;
import dev.nova.subscription.SubscriptionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The bridges to other clusters: {@code /api/bridges}. */
@Path("bridges")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "bridges", description = "Other Nova clusters this one shares its subscriptions with")
public class BridgesResource {

    private static final Logger LOG = Logger.getLogger(BridgesResource.class.getName());

    private final Bridges bridges;
    private final SubscriptionRegistry subscriptions;
    private final ClientService clients;
    private final Views views;

    @Inject
    public BridgesResource(Bridges bridges, SubscriptionRegistry subscriptions, ClientService clients, Views views) {
        this.bridges = bridges;
        this.subscriptions = subscriptions;
        this.clients = clients;
        this.views = views;
    }

    protected BridgesResource() {
        this(null, null, null, null);
    }

    @POST
    @Path("{cluster}/adopt")
    @Operation(
            summary = "Adopt a bridged cluster's subscriptions",
            description = "The disaster-recovery step when a whole cluster is lost: subscribes this cluster's client "
                    + "toClient to every persistent channel that fromClient of the bridged cluster had, as its "
                    + "subscriptions last arrived here (persistent; channels toClient already holds are skipped). "
                    + "All or nothing")
    @APIResponse(responseCode = "200", description = "The subscriptions made, and the channels skipped")
    @APIResponse(
            responseCode = "400",
            description = "fromClient or toClient missing, or toClient is of another platform than fromClient",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "404",
            description = "The cluster is not bridged, fromClient has no persistent subscription there, or toClient "
                    + "does not exist here",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "The cluster is online (it runs its own clients), or its standing is not known yet: adopt "
                    + "only with \"force\": true",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Adopted adopt(@PathParam("cluster") String cluster, Adopt body) {
        if (body == null) {
            throw NovaException.invalid("a JSON body {fromClient, toClient, force?} is required");
        }
        String from = required(body.fromClient(), "fromClient");
        String to = required(body.toClient(), "toClient");
        if (!bridges.bridges(cluster)) {
            throw NovaException.notFound(
                    "cluster '" + cluster + "' is not bridged to this one (bridged: " + bridges.clusters() + ")");
        }
        Optional<Boolean> online = bridges.standing(cluster);
        if (!Boolean.TRUE.equals(body.force()) && online.orElse(true)) {
            throw NovaException.conflict(
                    online.isPresent()
                            ? "cluster '" + cluster
                                    + "' is online and runs its own clients: adopting its subscriptions would"
                                    + " subscribe them twice; pass \"force\": true to adopt anyway"
                            : "whether cluster '" + cluster
                                    + "' is online is not known yet (this cluster's site master says"
                                    + " within seconds of its start); try again, or pass \"force\": true");
        }
        List<Subscription> theirs = subscriptions.bridged(cluster, from, null).stream()
                .filter(Subscription::persistent)
                .toList();
        if (theirs.isEmpty()) {
            throw NovaException.notFound(
                    "client '" + from + "' of cluster '" + cluster + "' has no persistent subscription here");
        }
        ClientRecord target = clients.get(to);
        String platform = target.spec().platform().id();
        String theirPlatform = theirs.get(0).platform();
        if (theirPlatform == null) {
            throw NovaException.invalid("the subscriptions of '" + from + "' of '" + cluster + "' do not say their"
                    + " platform (that cluster runs an older Nova): upgrade it, or subscribe '" + to + "' by hand");
        }
        if (!platform.equals(theirPlatform)) {
            throw NovaException.invalid("client '" + to + "' is a " + platform + " client and '" + from + "' of '"
                    + cluster + "' a " + theirPlatform + " one: adopt into a client of the same platform");
        }
        List<String> channels =
                theirs.stream().map(Subscription::channel).distinct().toList();
        ClientService.Adoption adoption = clients.adopt(to, channels);
        LOG.info(() -> "NOVA-3040 client " + to + " adopted " + adoption.made().size() + " channel(s) of client " + from
                + " of cluster " + cluster
                + (adoption.skipped().isEmpty() ? "" : " (" + adoption.skipped().size() + " already held)"));
        return new Adopted(
                cluster, from, to, adoption.made().stream().map(views::created).toList(), adoption.skipped());
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw NovaException.invalid(field + " is required");
        }
        return value;
    }
}
