package dev.nova.ownership;

import dev.nova.cluster.CacheDeclaration;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.ClusterSettings;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import dev.nova.model.ModelSchemaImpl;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.transaction.LockingMode;
import org.infinispan.transaction.TransactionMode;
import org.infinispan.transaction.lookup.EmbeddedTransactionManagerLookup;

/** Client records by name, in the {@code clients} cache. */
@ApplicationScoped
public class ClientRegistry {

    /** {@link ClientRecord} by client name. */
    public static final String CACHE = "clients";

    private static final long POLL_MS = 25;

    private final ClusterRuntime cluster;

    @Inject
    public ClientRegistry(ClusterRuntime cluster) {
        this.cluster = cluster;
    }

    protected ClientRegistry() {
        this.cluster = null;
    }

    /**
     * Client records decide ownership: their conditional writes must stay correct when retried across a topology
     * change, so the cache is transactional (pessimistic), and after a partition the record with the highest epoch
     * wins.
     */
    @Produces
    static CacheDeclaration declaration(ClusterSettings cluster) {
        ConfigurationBuilder builder = CacheDeclaration.replicated(cluster.enabled());
        builder.transaction()
                .transactionMode(TransactionMode.TRANSACTIONAL)
                .lockingMode(LockingMode.PESSIMISTIC)
                .transactionManagerLookup(new EmbeddedTransactionManagerLookup());
        if (cluster.enabled()) {
            builder.clustering().partitionHandling().mergePolicy(new EpochMergePolicy());
        }
        return new CacheDeclaration(CACHE, builder.build(), new ModelSchemaImpl());
    }

    private Cache<String, ClientRecord> cache() {
        return cluster.cache(CACHE);
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

    /**
     * Waits until the record satisfies {@code done} (or is gone), polling every {@value #POLL_MS} ms, at most
     * {@code patience}: the record as it then is, or empty when it is gone. Used where a request waits for the owner
     * of a client to carry out an intent written to the registry.
     */
    public Optional<ClientRecord> await(String name, Predicate<ClientRecord> done, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        Optional<ClientRecord> record = find(name);
        while (record.isPresent() && !done.test(record.get()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            record = find(name);
        }
        return record;
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
