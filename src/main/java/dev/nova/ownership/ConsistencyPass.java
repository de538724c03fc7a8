package dev.nova.ownership;

import dev.nova.cluster.ClusterBus;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.NodeDirectory;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.model.ClientRecord;
import dev.nova.platform.Credentials;
import dev.nova.platform.SecretBox;
import dev.nova.stream.Interests;
import dev.nova.subscription.SubscriptionRegistry;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The consistency pass between the subscription registry and what owner sessions hold at the exchanges: each node
 * reconciles the clients it owns (subscribe what is missing, unsubscribe orphans, start or release clients) every
 * {@code nova.cluster.sync-interval}, and on demand for the whole cluster ({@code POST /api/cluster/sync}), which
 * asks every member over the cluster bus and adds up the answers.
 */
@ApplicationScoped
public class ConsistencyPass {

    private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(ConsistencyPass.class.getName());

    /** The outcome of a pass: subscriptions checked and repairs made, and whether every member answered. */
    public record Result(int checked, int repaired, boolean complete) {}

    private final Reconciler reconciler;
    private final ClientRegistry clients;
    private final SubscriptionRegistry registry;
    private final ClusterRuntime cluster;
    private final ClusterBus bus;
    private final Interests interests;
    private final ClusterEvents events;
    private final NovaExecutors executors;
    private final SecretBox secrets;
    private final NodeDirectory nodes;
    private volatile String lastDisagreement;
    private volatile long lastPassAt;
    private volatile int lastRepaired = -1;
    private ScheduledFuture<?> periodic;

    @Inject
    public ConsistencyPass(
            Reconciler reconciler,
            ClientRegistry clients,
            SubscriptionRegistry registry,
            ClusterRuntime cluster,
            ClusterBus bus,
            Interests interests,
            ClusterEvents events,
            NovaExecutors executors,
            SecretBox secrets,
            NodeDirectory nodes) {
        this.secrets = secrets == null ? SecretBox.none() : secrets;
        this.nodes = nodes;
        this.reconciler = reconciler;
        this.clients = clients;
        this.registry = registry;
        this.cluster = cluster;
        this.bus = bus;
        this.interests = interests;
        this.events = events;
        this.executors = executors;
    }

    protected ConsistencyPass() {
        this(null, null, null, null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        bus.handle(ClusterBus.Operation.SYNC_PASS, arguments -> {
            int[] outcome = pass(true);
            return ByteBuffer.allocate(8).putInt(outcome[0]).putInt(outcome[1]).array();
        });
        long every = cluster.settings().syncInterval().toMillis();
        periodic = executors
                .timers()
                .scheduleWithFixedDelay(
                        () -> executors.control().execute(() -> pass(false)), every, every, TimeUnit.MILLISECONDS);
    }

    /** Starts with the application rather than on first use. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct schedules the work.
    }

    @PreDestroy
    void stop() {
        if (periodic != null) {
            periodic.cancel(false);
        }
    }

    /**
     * Reconciles the clients this node owns. Reported as {@code nova.cluster.subscription.synchronized} when it
     * repaired something or was asked for.
     */
    public int[] pass(boolean announce) {
        long start = System.currentTimeMillis();
        interests.reindex();
        if (cluster.isCoordinator() && cluster.view().quorum()) {
            sweepBuried();
            removeOrphans();
            resealCredentials();
        }
        int[] outcome = reconciler.reconcileAll();
        long took = System.currentTimeMillis() - start;
        lastPassAt = System.currentTimeMillis();
        lastRepaired = outcome[1];
        if (announce || outcome[1] > 0) {
            events.publish(
                    ClusterEvent.SUBSCRIPTION_SYNCHRONIZED,
                    null,
                    took,
                    "checked " + outcome[0] + ", repaired " + outcome[1]);
        }
        return outcome;
    }

    /** Deleted clients and subscriptions a merge brought back from a side that never saw the delete. */
    private void sweepBuried() {
        int clientsSwept = clients.sweep();
        int subscriptionsSwept = registry.sweep();
        if (clientsSwept + subscriptionsSwept > 0) {
            LOG.info(() -> "NOVA-3022 removed " + clientsSwept + " client(s) and " + subscriptionsSwept
                    + " subscription(s) deleted before a merge brought them back");
        }
    }

    /**
     * Exchange secrets sealed with the previous cluster secret's key, sealed again with the current one, so that the
     * previous secret can be dropped (README: rotating the cluster secret). Only once every member seals with the same
     * key as this node: during the rolling restart some still seal with the other secret (and would not open what this
     * node sealed), and with the cluster's PKI a member may have another secret altogether. Once every node runs the
     * new secret, the first pass leaves none behind.
     */
    private void resealCredentials() {
        if (!secrets.canSeal()) {
            return;
        }
        Map<String, String> keys = nodes.sealingKeys(cluster.members());
        if (keys.containsValue(NodeDirectory.NOT_YET)) {
            return; // a member that just joined has not written its record: the next pass looks again
        }
        boolean agreed = keys.values().stream().allMatch(secrets.currentKeyId()::equals);
        if (!agreed) {
            String disagreement = keys.toString();
            if (!disagreement.equals(lastDisagreement)) {
                lastDisagreement = disagreement;
                LOG.warning(() -> "NOVA-3024 the members seal exchange secrets with different cluster secrets (key "
                        + "ids " + disagreement + "; this node " + secrets.currentKeyId() + "): none is sealed again "
                        + "until they agree, and a member without this node's secret cannot open the secrets it seals");
            }
            return;
        }
        lastDisagreement = null;
        int resealed = 0;
        for (ClientRecord record : clients.list()) {
            Credentials credentials = record.spec().credentials();
            if (credentials != null && secrets.state(credentials) == SecretBox.Seal.PREVIOUS) {
                clients.update(
                        record.name(),
                        current -> current.spec().credentials() == null
                                ? current
                                : current.withSpec(current.spec()
                                        .withCredentials(
                                                secrets.reseal(current.spec().credentials()))));
                resealed++;
            }
        }
        if (resealed > 0) {
            int count = resealed;
            LOG.info(() -> "NOVA-3023 sealed the exchange secrets of " + count + " client(s) again with the current "
                    + "cluster secret");
        }
    }

    /** Subscriptions of clients that no longer exist (a subscribe racing a delete on another node). */
    private void removeOrphans() {
        java.util.Set<String> existing = new java.util.HashSet<>();
        clients.list().forEach(r -> existing.add(r.name()));
        // Looked up again before a removal: a client created after the list above was read, with its subscriptions
        // in the same transaction, is no orphan (seen creating 100 clients in a row: one lost 17 of its 100).
        java.util.Map<String, Boolean> gone = new java.util.HashMap<>();
        registry.list(null, null).stream()
                .filter(s -> !existing.contains(s.client()))
                .filter(s ->
                        gone.computeIfAbsent(s.client(), c -> clients.find(c).isEmpty()))
                .forEach(s -> {
                    registry.remove(s.id());
                    LOG.info(() -> "NOVA-3021 removed subscription " + s.id() + " of deleted client " + s.client());
                });
    }

    /** A pass on every member, added up. */
    public Result syncCluster() {
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        for (String member : cluster.members()) {
            if (!member.equals(cluster.identity().name())) {
                answers.add(bus.call(member, ClusterBus.Operation.SYNC_PASS, new byte[0], REMOTE_TIMEOUT));
            }
        }
        int[] local = pass(true);
        int checked = local[0];
        int repaired = local[1];
        boolean complete = true;
        for (CompletableFuture<byte[]> answer : answers) {
            try {
                ByteBuffer outcome = ByteBuffer.wrap(answer.join());
                checked += outcome.getInt();
                repaired += outcome.getInt();
            } catch (RuntimeException e) {
                complete = false;
                LOG.warning(() -> "NOVA-3020 a member did not complete its consistency pass: " + e);
            }
        }
        return new Result(checked, repaired, complete);
    }

    /** Whether the last local pass found nothing to repair. */
    public boolean synced() {
        return lastRepaired == 0;
    }

    public long lastPassAt() {
        return lastPassAt;
    }
}
