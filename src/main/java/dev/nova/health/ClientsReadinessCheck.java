package dev.nova.health;

import dev.nova.client.ClientRecord;
import dev.nova.client.ClientService;
import dev.nova.client.ClientState;
import dev.nova.client.DeclaredClients;
import dev.nova.cluster.NodeIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once startup has run and every client declared in this node's configuration that runs here is
 * {@code CONNECTED}, or {@code RECONNECTING} within its backoff policy. A client still on its first connect, or
 * {@code FAILED}, keeps the node not ready. Each client's state is reported.
 */
@Readiness
@ApplicationScoped
public class ClientsReadinessCheck implements HealthCheck {

    private final DeclaredClients declared;
    private final ClientService clients;
    private final NodeIdentity node;

    @Inject
    public ClientsReadinessCheck(DeclaredClients declared, ClientService clients, NodeIdentity node) {
        this.declared = declared;
        this.clients = clients;
        this.node = node;
    }

    protected ClientsReadinessCheck() {
        this(null, null, null);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("nova-clients");
        boolean up = declared.done();
        for (String name : declared.names()) {
            Optional<ClientRecord> record =
                    clients.list().stream().filter(r -> r.name().equals(name)).findFirst();
            if (record.isEmpty()) {
                response.withData(name, "MISSING");
                up = false;
                continue;
            }
            ClientState state = record.get().state();
            response.withData(name, state.name());
            boolean runsHere = node.name().equals(record.get().owner());
            if (runsHere && state != ClientState.CONNECTED && state != ClientState.RECONNECTING) {
                up = false;
            }
        }
        return response.status(up).build();
    }
}
