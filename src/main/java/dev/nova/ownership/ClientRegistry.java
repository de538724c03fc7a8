package dev.nova.ownership;

import dev.nova.cluster.CacheDeclaration;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.ClusterSettings;
import dev.nova.cluster.LocalReads;
import dev.nova.cluster.Tombstones;
import dev.nova.cluster.Transactions;
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

/** Client records by name, in the {@code clients} cache. */
@ApplicationScoped
public class ClientRegistry {

    /** {@link ClientRecord} by client name. */
    public static final String CACHE = "clients";

    private static final long POLL_MS = 25;

    /** The kind of a client's tombstone. */
    static final String KIND = "client";

    private final ClusterRuntime cluster;
    private final Tombstones tombstones;

    @Inject
    public ClientRegistry(ClusterRuntime cluster, Tombstones tombstones) {
        this.cluster = cluster;
        this.tombstones = tombstones;
    }

    protected ClientRegistry() {
        this.cluster = null;
        this.tombstones = null;
    }

    /** Whether this record is a deleted one a merge brought back (it is treated as absent, and swept). */
    private boolean buried(ClientRecord record) {
        return record != null && tombstones.buried(KIND, record.name(), record.createdAt());
    }

    /** The live record under a name: none when there is none or it was deleted. */
    private ClientRecord live(String name) {
        ClientRecord record = cache().get(name);
        return buried(record) ? null : record;
    }

    /**
     * Client records decide ownership: their conditional writes must stay correct when retried across a topology
     * change, so the cache is transactional (pessimistic), and after a partition the record with the highest epoch
     * wins. Kept on disk too: a full-cluster restart finds every client again.
     */
    @Produces
    static CacheDeclaration declaration(ClusterSettings cluster) {
        ConfigurationBuilder builder = Transactions.transactional(CacheDeclaration.replicated(cluster.enabled()));
        if (cluster.enabled()) {
            builder.clustering().partitionHandling().mergePolicy(new EpochMergePolicy());
        }
        return new CacheDeclaration(CACHE, builder.build(), new ModelSchemaImpl(), true).asPersistent();
    }

    private Cache<String, ClientRecord> cache() {
        return cluster.cache(CACHE);
    }

    /** Stores a new record; returns the existing one instead when the name is taken. */
    public Optional<ClientRecord> createIfAbsent(ClientRecord record) {
        while (true) {
            ClientRecord existing = cache().putIfAbsent(record.name(), record);
            if (!buried(existing)) {
                return Optional.ofNullable(existing);
            }
            if (cache().replace(record.name(), existing, record)) {
                return Optional.empty();
            }
        }
    }

    public Optional<ClientRecord> find(String name) {
        return Optional.ofNullable(live(name));
    }

    /** Every client, by name. */
    public List<ClientRecord> list() {
        return LocalReads.of(cache()).values().stream()
                .filter(record -> !buried(record))
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
            ClientRecord current = live(name);
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

    /**
     * Deletes a client record and buries it, in one transaction (the caller's when there is one), so that a merge
     * with a side that never saw the delete does not bring it back.
     */
    public void remove(String name) {
        Transactions.atomically(() -> {
            ClientRecord record = cache().get(name);
            if (record != null) {
                tombstones.bury(KIND, name, record.createdAt());
                cache().remove(name, record);
            }
        });
    }

    /** Removes the deleted records a merge brought back; returns how many. */
    public int sweep() {
        int swept = 0;
        for (ClientRecord record : List.copyOf(LocalReads.of(cache()).values())) {
            if (buried(record) && cache().remove(record.name(), record)) {
                swept++;
            }
        }
        return swept;
    }
}
