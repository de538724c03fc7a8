package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.api.Dtos.SubscriptionView;
import dev.nova.client.ClientService;
import dev.nova.client.ClientStats;
import dev.nova.cluster.Bridges;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.connection.ChannelStatus;
import dev.nova.connection.ConnectionStats;
import dev.nova.model.ClientRecord;
import dev.nova.subscription.SubscriptionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Every subscription in the cluster: {@code /api/subscriptions}. */
@Path("subscriptions")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "subscriptions", description = "The subscription registry")
public class SubscriptionsResource {

    private final SubscriptionRegistry subscriptions;
    private final ClientService clients;
    private final ClientStats clientStats;
    private final Views views;
    private final ClusterRuntime cluster;
    private final Bridges bridges;

    @Inject
    public SubscriptionsResource(
            SubscriptionRegistry subscriptions,
            ClientService clients,
            ClientStats clientStats,
            Views views,
            ClusterRuntime cluster,
            Bridges bridges) {
        this.cluster = cluster;
        this.bridges = bridges;
        this.subscriptions = subscriptions;
        this.clients = clients;
        this.clientStats = clientStats;
        this.views = views;
    }

    protected SubscriptionsResource() {
        this(null, null, null, null, null, null);
    }

    @GET
    @Operation(
            summary = "List subscriptions",
            description = "state is the channel's standing at the exchange "
                    + "(PENDING, ACTIVE, REJECTED) as the owner node sees it")
    @APIResponse(responseCode = "200", description = "The subscriptions, each with the cluster it belongs to")
    @APIResponse(
            responseCode = "404",
            description = "cluster names neither this cluster nor one it is bridged to",
            content = @Content(mediaType = "application/problem+json"))
    public List<SubscriptionView> list(
            @Parameter(description = "only this client's") @QueryParam("client") String client,
            @Parameter(description = "only this channel") @QueryParam("channel") String channel,
            @Parameter(
                            description = "a bridged cluster's subscriptions, as they last arrived here (default: this "
                                    + "cluster's own)")
                    @QueryParam("cluster")
                    String from) {
        String wanted = blankToNull(from);
        if (wanted != null && !wanted.equals(cluster.settings().name())) {
            if (!bridges.bridges(wanted)) {
                throw NovaException.notFound("cluster '" + wanted + "' is neither this cluster ("
                        + cluster.settings().name() + ") nor one it is bridged to " + bridges.clusters());
            }
            return subscriptions.bridged(wanted, blankToNull(client), blankToNull(channel)).stream()
                    .map(s -> views.bridged(s, wanted))
                    .toList();
        }
        Map<String, String> owners = new HashMap<>();
        Map<String, Map<String, ChannelStatus>> standing = new HashMap<>();
        Map<String, ConnectionStats> stats = clientStats.all();
        for (ClientRecord record : clients.list()) {
            owners.put(record.name(), record.owner());
            ConnectionStats counters = stats.get(record.name());
            standing.put(record.name(), counters == null ? Map.of() : counters.channels());
        }
        return subscriptions.list(blankToNull(client), blankToNull(channel)).stream()
                .map(s -> views.subscription(s, owners.get(s.client()), standing.getOrDefault(s.client(), Map.of())))
                .toList();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
