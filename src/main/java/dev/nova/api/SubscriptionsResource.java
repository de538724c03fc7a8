package dev.nova.api;

import dev.nova.api.Dtos.SubscriptionView;
import dev.nova.client.ClientService;
import dev.nova.client.ClientStats;
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
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
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

    @Inject
    public SubscriptionsResource(
            SubscriptionRegistry subscriptions, ClientService clients, ClientStats clientStats, Views views) {
        this.subscriptions = subscriptions;
        this.clients = clients;
        this.clientStats = clientStats;
        this.views = views;
    }

    protected SubscriptionsResource() {
        this(null, null, null, null);
    }

    @GET
    @Operation(
            summary = "List subscriptions",
            description = "state is the channel's standing at the exchange "
                    + "(PENDING, ACTIVE, REJECTED) as the owner node sees it")
    public List<SubscriptionView> list(
            @Parameter(description = "only this client's") @QueryParam("client") String client,
            @Parameter(description = "only this channel") @QueryParam("channel") String channel) {
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
