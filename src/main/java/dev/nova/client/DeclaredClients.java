package dev.nova.client;

import dev.nova.cluster.ClusterRuntime;
import dev.nova.config.DeclaredClient;
import dev.nova.config.NovaSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.logging.Logger;

/**
 * Boots the node: when the application starts, the configuration has already been validated (a bad key stops
 * the start), and this bean creates the clients declared in {@code nova.clients} with their channels. The
 * startup health check reports UP once it has run.
 */
@ApplicationScoped
public class DeclaredClients {

    private static final Logger LOG = Logger.getLogger(DeclaredClients.class.getName());

    private final NovaSettings settings;
    private final ClusterRuntime cluster;
    private final ClientService service;
    private volatile boolean done;

    @Inject
    public DeclaredClients(NovaSettings settings, ClusterRuntime cluster, ClientService service) {
        this.settings = settings;
        this.cluster = cluster;
        this.service = service;
    }

    protected DeclaredClients() {
        this.settings = null;
        this.cluster = null;
        this.service = null;
    }

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Start the cache manager now rather than on the first request: state must exist before clients do.
        cluster.identity();
        for (DeclaredClient declared : settings.clients()) {
            service.createDeclared(declared.spec(), declared.channels());
        }
        done = true;
        LOG.info(() -> "NOVA-3010 node " + settings.nodeName() + " started with "
                + settings.clients().size() + " declared client(s)");
    }

    /** Whether startup has created the declared clients. */
    public boolean done() {
        return done;
    }

    /** Names of the clients declared in this node's configuration. */
    public List<String> names() {
        return settings.clients().stream().map(c -> c.spec().name()).toList();
    }
}
