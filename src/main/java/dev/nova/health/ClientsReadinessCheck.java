package dev.nova.health;

import dev.nova.boot.DeclaredClients;
import dev.nova.client.ClientService;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import dev.nova.model.NodeIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once startup has run and every client declared in this node's configuration that runs here is
 * {@code CONNECTED}, or {@code RECONNECTING} within its backoff policy. A client still on its first connect, or
 * {@code FAILED}, keeps the node not ready; a declared client an operator deleted or stopped does not. Clients
 * created through the API do not count: readiness is about what this node was configured to serve.
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
        Map<String, ClientRecord> records = new HashMap<>();
        clients.list().forEach(r -> records.put(r.name(), r));
        for (String name : declared.names()) {
            ClientRecord record = records.get(name);
            if (record == null) {
                response.withData(name, "DELETED");
                continue;
            }
            ClientState state = record.state();
            response.withData(name, state.name());
            boolean runsHere = node.name().equals(record.owner());
            boolean acceptable =
                    state == ClientState.CONNECTED || state == ClientState.RECONNECTING || state == ClientState.STOPPED;
            if (runsHere && !acceptable) {
                up = false;
            }
        }
        return response.status(up).build();
    }
}
