package dev.nova.failover;

import dev.nova.client.ClientRegistry;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.MembershipChanged;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.concurrency.SerialExecutor;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import dev.nova.model.Subscription;
import dev.nova.subscription.SubscriptionRegistry;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one decision maker for ownership: on the JGroups coordinator, while its side holds quorum, it finds clients
 * whose owner is gone (left the view, or came back as a new incarnation) and gives them to another node, placed by
 * region, with a conditional write at the next epoch ({@code immediate}, or after {@code nova.failover.delay} for
 * {@code delayed}). An attempt that does not get the client connected within {@code attempt-timeout} is retried on
 * another node, up to {@code max-attempts}; then the client is {@code FAILED} and unassigned until an operator
 * restarts it. Non-persistent subscriptions die with their owner. Pinned clients ({@code cluster-enabled=false})
 * never move.
 */
@ApplicationScoped
public class FailoverCoordinator {

    private static final long TICK_MS = 250;
    private static final Logger LOG = Logger.getLogger(FailoverCoordinator.class.getName());

    private final ClusterRuntime cluster;
    private final ClientRegistry clients;
    private final SubscriptionRegistry subscriptions;
    private final Ownership ownership;
    private final ClusterEvents events;
    private final NovaExecutors executors;
    private final FailoverSettings settings;
    /** When this coordinator first saw each client without a live owner. */
    private final Map<String, Long> lostSince = new ConcurrentHashMap<>();

    private SerialExecutor lane;
    private ScheduledFuture<?> ticker;

    @Inject
    public FailoverCoordinator(
            ClusterRuntime cluster,
            ClientRegistry clients,
            SubscriptionRegistry subscriptions,
            Ownership ownership,
            ClusterEvents events,
            NovaExecutors executors,
            FailoverSettings settings) {
        this.cluster = cluster;
        this.clients = clients;
        this.subscriptions = subscriptions;
        this.ownership = ownership;
        this.events = events;
        this.executors = executors;
        this.settings = settings;
    }

    protected FailoverCoordinator() {
        this(null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        lane = new SerialExecutor(executors.control(), "failover");
        ticker = executors
                .timers()
                .scheduleWithFixedDelay(() -> lane.execute(this::pass), TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Starts with the application rather than on first use. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct schedules the passes.
    }

    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    void onMembership(@Observes MembershipChanged change) {
        lane.execute(this::pass);
    }

    /** One look at every client; acts only on the coordinator of a side with quorum. */
    void pass() {
        if (!cluster.clustered()
                || !cluster.joined()
                || !cluster.isCoordinator()
                || !cluster.view().quorum()) {
            lostSince.clear();
            return;
        }
        long now = System.currentTimeMillis();
        List<ClientRecord> all = clients.list();
        Set<String> seen = new HashSet<>();
        for (ClientRecord record : all) {
            seen.add(record.name());
            try {
                review(record, all, now);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "NOVA-7010 failover review of client " + record.name() + " failed", e);
            }
        }
        lostSince.keySet().retainAll(seen);
    }

    private void review(ClientRecord record, List<ClientRecord> all, long now) {
        if (!record.spec().clusterEnabled() || record.owner() == null) {
            lostSince.remove(record.name());
            return;
        }
        if (!ownership.ownerAlive(record)) {
            long lost = lostSince.computeIfAbsent(record.name(), n -> now);
            if (!settings.automatic() || record.stopped()) {
                return;
            }
            if (!record.failingOver()
                    && settings.delayed()
                    && now - lost < settings.delay().toMillis()) {
                return;
            }
            attempt(record, all, lost, now, "owner " + record.owner() + " is gone");
            return;
        }
        lostSince.remove(record.name());
        if (record.failingOver()
                && record.state() != ClientState.CONNECTED
                && now - record.stateChangedAt() > settings.attemptTimeout().toMillis()) {
            attempt(
                    record,
                    all,
                    record.failoverSince(),
                    now,
                    "attempt " + record.failoverAttempts() + " on " + record.owner() + " did not connect within "
                            + settings.attemptTimeout().toMillis() + " ms");
        }
    }

    /** Gives the client to another node at the next epoch, or gives up when the attempts are spent. */
    private void attempt(ClientRecord record, List<ClientRecord> all, long since, long now, String why) {
        String name = record.name();
        if (record.failoverAttempts() >= settings.maxAttempts()) {
            Optional<ClientRecord> failed =
                    clients.update(name, r -> r.epoch() == record.epoch() ? r.unassign(ClientState.FAILED, now) : r);
            if (failed.filter(r -> r.epoch() == record.epoch() + 1).isPresent()) {
                lostSince.remove(name);
                events.publish(
                        ClusterEvent.FAILOVER_FAILED,
                        name,
                        now - since,
                        "gave up after "
                                + record.failoverAttempts() + " attempt(s): " + why + "; POST /api/clients/" + name
                                + "/restart brings it back");
            }
            return;
        }
        Set<String> exclude = new HashSet<>();
        if (record.owner() != null) {
            exclude.add(record.owner());
        }
        Optional<String> target = ownership.place(record.spec(), all, exclude);
        if (target.isEmpty()) {
            // The only live node is the one that just failed to connect it: try it again at a new epoch.
            target = ownership.place(record.spec(), all, Set.of());
        }
        if (target.isEmpty()) {
            LOG.warning(() -> "NOVA-7011 no node can take over client " + name + " (" + why + ")");
            return;
        }
        String to = target.get();
        long incarnation = ownership.incarnationOf(to).orElse(-1L);
        if (incarnation < 0) {
            return;
        }
        boolean first = !record.failingOver();
        Optional<ClientRecord> moved = clients.update(
                name,
                r -> r.epoch() == record.epoch()
                        ? r.failoverAttempt(since).assign(to, incarnation, ClientState.FAILING_OVER, now)
                        : r);
        if (moved.filter(r -> r.epoch() == record.epoch() + 1).isEmpty()) {
            return;
        }
        List<Subscription> dropped = first ? dropNonPersistent(name) : List.of();
        int attemptNumber = moved.get().failoverAttempts();
        events.publish(
                ClusterEvent.FAILOVER_STARTED,
                name,
                null,
                why + "; attempt " + attemptNumber + " of "
                        + settings.maxAttempts() + " moves it from " + record.owner() + " to " + to + " at epoch "
                        + moved.get().epoch()
                        + (dropped.isEmpty()
                                ? ""
                                : "; non-persistent subscriptions ended with their owner: "
                                        + dropped.stream()
                                                .map(s -> s.id() + " " + s.channel())
                                                .toList()));
    }

    /** Non-persistent subscriptions end with the owner that ran them. */
    private List<Subscription> dropNonPersistent(String client) {
        List<Subscription> dropped = subscriptions.byClient(client).stream()
                .filter(s -> !s.persistent())
                .toList();
        dropped.forEach(s -> subscriptions.remove(s.id()));
        return dropped;
    }
}
