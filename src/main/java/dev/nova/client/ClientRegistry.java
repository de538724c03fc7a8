package dev.nova.client;

import dev.nova.cluster.ClusterRuntime;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;

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
        update(name, current -> current.state() == state ? current : current.withState(state, now));
    }

    /**
     * Applies a change to the current record with a conditional replace, retried until it wins; empty when there
     * is no such client.
     */
    public Optional<ClientRecord> update(String name, UnaryOperator<ClientRecord> change) {
        while (true) {
            ClientRecord current = cache().get(name);
            if (current == null) {
                return Optional.empty();
            }
            ClientRecord next = change.apply(current);
            if (next.equals(current) || cache().replace(name, current, next)) {
                return Optional.of(next);
            }
        }
    }

    /** Tells {@code listener} the name of every client whose record is created, changed or removed. */
    public void listen(Consumer<String> listener) {
        cache().addListener(new ChangeListener(listener));
    }

    /** Infinispan notifications (asynchronous, on Infinispan's threads) reduced to client names. */
    @Listener(sync = false)
    public static final class ChangeListener {
        private final Consumer<String> listener;

        ChangeListener(Consumer<String> listener) {
            this.listener = listener;
        }

        @CacheEntryCreated
        @CacheEntryModified
        @CacheEntryRemoved
        public void changed(CacheEntryEvent<String, ClientRecord> event) {
            if (!event.isPre()) {
                listener.accept(event.getKey());
            }
        }
    }

    public void remove(String name) {
        cache().remove(name);
    }
}
