package dev.nova.boot;

import dev.nova.client.ClientService;
import dev.nova.client.DeclaredClient;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.NodeDirectory;
import dev.nova.ownership.ConsistencyPass;
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
    private final NodeDirectory nodes;
    private final ClientService service;
    private final ConsistencyPass sync;
    private volatile boolean done;

    @Inject
    public DeclaredClients(
            NovaConfig config,
            ClusterRuntime cluster,
            NodeDirectory nodes,
            ClientService service,
            ConsistencyPass sync) {
        this.settings = config == null ? null : config.settings();
        this.cluster = cluster;
        this.nodes = nodes;
        this.service = service;
        this.sync = sync;
    }

    protected DeclaredClients() {
        this(null, null, null, null, null);
    }

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Join the cluster (and receive its state) now rather than on the first request.
        cluster.identity();
        nodes.register();
        for (DeclaredClient declared : settings.clients()) {
            service.createDeclared(declared.spec(), declared.channels());
        }
        // Run the clients the registry gives this node, e.g. after a restart under the same name.
        sync.pass(false);
        done = true;
        LOG.info(() -> "NOVA-3010 node " + settings.node().name() + " started with "
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
