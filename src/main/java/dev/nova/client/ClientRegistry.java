package dev.nova.client;

import dev.nova.cluster.ClusterRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.infinispan.Cache;

/** Client records by name, in the {@code clients} cache. */
@ApplicationScoped
public class ClientRegistry {

    private final ClusterRuntime cluster;

    @Inject
    public ClientRegistry(ClusterRuntime cluster) {
        this.cluster = cluster;
    }

    protected ClientRegistry() {
        this.cluster = null;
    }

    private Cache<String, ClientRecord> cache() {
        return cluster.clients();
    }

    /** Stores a new record; returns the existing one instead when the name is taken. */
    public Optional<ClientRecord> createIfAbsent(ClientRecord record) {
        return Optional.ofNullable(cache().putIfAbsent(record.name(), record));
    }

    public Optional<ClientRecord> find(String name) {
        return Optional.ofNullable(cache().get(name));
    }

    /** Every client, by name. */
    public List<ClientRecord> list() {
        return cache().values().stream()
                .sorted(Comparator.comparing(ClientRecord::name))
                .toList();
    }

    /** Records a new state unless the record is gone or already in that state. */
    public void updateState(String name, ClientState state, long now) {
        while (true) {
            ClientRecord current = cache().get(name);
            if (current == null || current.state() == state) {
                return;
            }
            if (cache().replace(name, current, current.withState(state, now))) {
                return;
            }
        }
    }

    public void remove(String name) {
        cache().remove(name);
    }
}
