package dev.nova.subscription;

import dev.nova.NovaException;
import dev.nova.cluster.CacheDeclaration;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.ClusterSettings;
import dev.nova.cluster.CrossSite;
import dev.nova.cluster.LocalReads;
import dev.nova.cluster.Tombstones;
import dev.nova.cluster.Transactions;
import dev.nova.model.ModelSchemaImpl;
import dev.nova.model.Subscription;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;

/**
 * Subscriptions by id, in the {@code subscriptions} cache. Deletes are buried ({@link Tombstones}): a merge with a
 * side that never saw them does not bring them back.
 */
@ApplicationScoped
public class SubscriptionRegistry {

    /** {@link Subscription} by subscription id. */
    public static final String CACHE = "subscriptions";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}");

    /** The kind of a subscription's tombstone. */
    static final String KIND = "subscription";

    private final ClusterRuntime cluster;
    private final Tombstones tombstones;

    @Inject
    public SubscriptionRegistry(ClusterRuntime cluster, Tombstones tombstones) {
        this.cluster = cluster;
        this.tombstones = tombstones;
    }

    protected SubscriptionRegistry() {
        this.cluster = null;
        this.tombstones = null;
    }

    /** Whether this subscription is a deleted one a merge brought back (treated as absent, and swept). */
    private boolean buried(Subscription subscription) {
        return subscription != null && tombstones.buried(KIND, subscription.id(), subscription.createdAt());
    }

    /**
     * Replicated, unless {@code nova.cluster.distributed-subscriptions=false} keeps every node's own; transactional,
     * so a client's subscriptions are written and deleted with the client ({@link Transactions}); backed up to the
     * bridged clusters, when there are any ({@link CrossSite}); kept on disk too, so a full-cluster restart finds them
     * again ({@link dev.nova.cluster.DataSettings}).
     */
    @Produces
    static CacheDeclaration declaration(ClusterSettings cluster) {
        boolean replicated = cluster.enabled() && cluster.distributedSubscriptions();
        return new CacheDeclaration(
                CACHE,
                Transactions.transactional(CacheDeclaration.replicated(replicated))
                        .build(),
                new ModelSchemaImpl(),
                true,
                replicated,
                true);
    }

    private Cache<String, Subscription> cache() {
        return cluster.cache(CACHE);
    }

    /** A fresh subscription id. */
    public static String newId() {
        return "sub-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /**
     * The id of a declared client's channel: the same on every node, so that nodes that start together and each
     * create the client they all declare write one subscription per channel, not one each (they may both create it:
     * a node that is still receiving the registry does not see the other's record yet).
     */
    public static String declaredId(String client, String channel) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((client + '\n' + channel).getBytes(StandardCharsets.UTF_8));
            return "sub-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Checks a caller-chosen id. */
    public static String checkId(String id) {
        if (!ID.matcher(id).matches()) {
            throw NovaException.invalid("subscription id '" + id + "' is invalid: use 1 to 128 letters, digits or "
                    + "'_', '.', ':', '@', '-', starting with a letter or digit");
        }
        return id;
    }

    /**
     * Adds subscriptions, all or none, in one transaction (the caller's when there is one): if any id is taken, a
     * conflict is reported and none is added.
     */
    public List<Subscription> addAll(List<Subscription> subscriptions) {
        return Transactions.atomically(() -> {
            for (Subscription subscription : subscriptions) {
                Subscription existing = cache().putIfAbsent(subscription.id(), subscription);
                if (buried(existing) && cache().replace(subscription.id(), existing, subscription)) {
                    existing = null;
                }
                if (existing != null) {
                    throw NovaException.conflict("subscription id '" + subscription.id() + "' already exists");
                }
            }
            return List.copyOf(subscriptions);
        });
    }

    /**
     * The subscriptions of a bridged cluster, as they last arrived here, optionally filtered by client and channel,
     * oldest first (empty for a cluster that is not bridged). They live in a cache of their own, which nothing here writes.
     */
    public List<Subscription> bridged(String from, String client, String channel) {
        return backup(from).stream()
                .flatMap(backup -> backup.values().stream())
                .filter(s -> client == null || s.client().equals(client))
                .filter(s -> channel == null || s.channel().equals(channel))
                .sorted(Comparator.comparingLong(Subscription::createdAt).thenComparing(Subscription::id))
                .toList();
    }

    /** How many subscriptions of a bridged cluster are here (0 for a cluster that is not bridged). */
    public int bridgedCount(String from) {
        return backup(from).map(Cache::size).orElse(0);
    }

    private Optional<Cache<String, Subscription>> backup(String from) {
        if (!cluster.bridgedCaches().contains(CACHE)
                || !cluster.settings().bridge().bridges(from)) {
            return Optional.empty();
        }
        return Optional.of(cluster.cache(CrossSite.backupName(CACHE, from)));
    }

    public Optional<Subscription> find(String id) {
        return Optional.ofNullable(cache().get(id)).filter(s -> !buried(s));
    }

    /**
     * Removes a subscription and buries it, in one transaction, so that a merge with a side that never saw the delete
     * does not bring it back; empty when it did not exist.
     */
    public Optional<Subscription> remove(String id) {
        Optional<Subscription> existing = find(id);
        existing.ifPresent(this::delete);
        return existing;
    }

    private void delete(Subscription subscription) {
        Transactions.atomically(() -> {
            tombstones.bury(KIND, subscription.id(), subscription.createdAt());
            cache().remove(subscription.id(), subscription);
        });
    }

    /** Removes the deleted subscriptions a merge brought back; returns how many. */
    public int sweep() {
        int swept = 0;
        for (Subscription subscription : List.copyOf(LocalReads.of(cache()).values())) {
            if (buried(subscription) && cache().remove(subscription.id(), subscription)) {
                swept++;
            }
        }
        return swept;
    }

    /** Every subscription, optionally filtered by client and channel, oldest first. */
    public List<Subscription> list(String client, String channel) {
        return LocalReads.of(cache()).values().stream()
                .filter(s -> client == null || s.client().equals(client))
                .filter(s -> channel == null || s.channel().equals(channel))
                .filter(s -> !buried(s))
                .sorted(Comparator.comparingLong(Subscription::createdAt).thenComparing(Subscription::id))
                .toList();
    }

    public List<Subscription> byClient(String client) {
        return list(client, null);
    }

    /** The distinct channels a client must hold at its exchange. */
    public Set<String> channelsOf(String client) {
        Set<String> channels = new LinkedHashSet<>();
        byClient(client).forEach(s -> channels.add(s.channel()));
        return channels;
    }

    /** Tells {@code listener} the client of every subscription created or removed. */
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
        public void created(CacheEntryCreatedEvent<String, Subscription> event) {
            if (!event.isPre() && event.getValue() != null) {
                listener.accept(event.getValue().client());
            }
        }

        @CacheEntryRemoved
        public void removed(CacheEntryRemovedEvent<String, Subscription> event) {
            if (!event.isPre() && event.getOldValue() != null) {
                listener.accept(event.getOldValue().client());
            }
        }
    }

    /** Removes every subscription of a client, in one transaction (the caller's when there is one). */
    public void removeClient(String client) {
        Transactions.atomically(() -> byClient(client).forEach(this::delete));
    }
}
