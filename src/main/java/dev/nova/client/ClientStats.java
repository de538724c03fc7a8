package dev.nova.client;

import dev.nova.cluster.ClusterBus;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.connection.ClientConnection;
import dev.nova.connection.ConnectionManager;
import dev.nova.connection.ConnectionStats;
import dev.nova.model.ClientRecord;
import dev.nova.ownership.ClientRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * The counters of running clients, which live on their owner nodes only (never a replicated write per message):
 * local ones are read directly, the others asked for over the cluster bus, one question per node.
 */
@ApplicationScoped
public class ClientStats {

    private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(ClientStats.class.getName());

    private final ClientRegistry clients;
    private final ConnectionManager connections;
    private final ClusterRuntime cluster;
    private final ClusterBus bus;

    @Inject
    public ClientStats(ClientRegistry clients, ConnectionManager connections, ClusterRuntime cluster, ClusterBus bus) {
        this.clients = clients;
        this.connections = connections;
        this.cluster = cluster;
        this.bus = bus;
    }

    protected ClientStats() {
        this(null, null, null, null);
    }

    @PostConstruct
    void start() {
        bus.handle(ClusterBus.Operation.CLIENT_STATS, arguments -> {
            String name = arguments.readUTF();
            Map<String, ConnectionStats> stats = new LinkedHashMap<>();
            for (ClientConnection connection : connections.all()) {
                if (name.isEmpty() || name.equals(connection.spec().name())) {
                    stats.put(connection.spec().name(), connection.stats());
                }
            }
            return StatsWire.encode(stats);
        });
    }

    /** Starts with the application: other nodes may ask this one before anything here uses this bean. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers it on the cluster bus.
    }

    /** The counters of a client, from its owner; empty when no node runs it or the owner did not answer. */
    public Optional<ConnectionStats> of(String name) {
        Optional<ClientConnection> local = connections.find(name);
        if (local.isPresent()) {
            return local.map(ClientConnection::stats);
        }
        String self = cluster.identity().name();
        return clients.find(name)
                .map(ClientRecord::owner)
                .filter(owner -> !owner.equals(self) && cluster.members().contains(owner))
                .flatMap(owner -> ask(owner, name).join().map(all -> all.get(name)));
    }

    /** The counters of every running client in the cluster, asking each other member once, in parallel. */
    public Map<String, ConnectionStats> all() {
        Map<String, ConnectionStats> stats = new HashMap<>();
        List<CompletableFuture<Optional<Map<String, ConnectionStats>>>> answers = new ArrayList<>();
        for (String member : cluster.members()) {
            // A member without its node record is still starting: it cannot answer yet.
            if (!member.equals(cluster.identity().name()) && cluster.nodes().containsKey(member)) {
                answers.add(ask(member, ""));
            }
        }
        for (ClientConnection connection : connections.all()) {
            stats.put(connection.spec().name(), connection.stats());
        }
        answers.forEach(answer -> answer.join().ifPresent(stats::putAll));
        return stats;
    }

    private CompletableFuture<Optional<Map<String, ConnectionStats>>> ask(String member, String name) {
        return bus.call(member, ClusterBus.Operation.CLIENT_STATS, ClusterBus.utf(name), REMOTE_TIMEOUT)
                .thenApply(bytes -> {
                    try {
                        return Optional.of(StatsWire.decode(new DataInputStream(new ByteArrayInputStream(bytes))));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .exceptionally(error -> {
                    LOG.fine(() -> "node " + member + " did not answer for counters: " + error);
                    return Optional.empty();
                });
    }
}
