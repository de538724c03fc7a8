package dev.nova.ownership;

import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.MemberGone;
import dev.nova.cluster.MembershipChanged;
import dev.nova.cluster.RecordsSettled;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one decision maker for clients whose owner is gone: on the JGroups coordinator, while its side holds quorum, it
 * reviews every client after each view change and four times a second, decides by {@link FailoverPolicy} and writes
 * the decision with a conditional write at the next epoch, so that a decision made on a stale record changes nothing.
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
    /** When this coordinator first saw each open transfer (the epoch and target it saw). */
    private final Map<String, OpenTransfer> transfers = new ConcurrentHashMap<>();

    private record OpenTransfer(long epoch, String target, long since) {}

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

    /**
     * A new view: a pass at once rather than at the next tick. After a merge, or when this side gets quorum back, no
     * decision about a client until its records are seen the same on every member ({@link Ownership#settled(String)}):
     * until then this node's copies may be the other side's (a member whose record its side removed would look gone,
     * though it is right there).
     */
    public void viewChanged(MembershipChanged change) {
        lane.execute(this::pass);
    }

    /**
     * A member that left is gone for sure (its port refuses connections): its clients need not wait for its lease, so
     * a pass at once. The pass the view itself started usually ran before the probe could answer.
     */
    public void memberGone(MemberGone gone) {
        lane.execute(this::pass);
    }

    /** While a merge settles, fewer clients are in doubt: a pass at once for those that are not. */
    public void doubtsNarrowed() {
        lane.execute(this::pass);
    }

    /** The records are the cluster's again after a merge: decisions resume, with a pass at once. */
    public void recordsSettled(RecordsSettled settled) {
        lane.execute(this::pass);
    }

    /** One look at every client; acts only on the coordinator of a side with quorum. */
    void pass() {
        Members members = cluster.clustered() && cluster.joined() ? ownership.members() : null;
        if (members == null || !FailoverPolicy.decides(members)) {
            lostSince.clear();
            transfers.clear();
            return;
        }
        // While a merge settles, only clients whose records are the same on every member are decided.
        boolean settled = ownership.settled();
        long now = System.currentTimeMillis();
        List<ClientRecord> all = clients.list();
        Set<String> seen = new HashSet<>();
        for (ClientRecord record : all) {
            seen.add(record.name());
            if (!settled && !ownership.settled(record.name())) {
                continue;
            }
            try {
                review(record, all, members, now);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "NOVA-7010 failover review of client " + record.name() + " failed", e);
            }
        }
        lostSince.keySet().retainAll(seen);
        transfers.keySet().retainAll(seen);
    }

    private void review(ClientRecord record, List<ClientRecord> all, Members members, long now) {
        String name = record.name();
        long lostAt = now;
        if (FailoverPolicy.ownerLost(record, members)) {
            lostAt = lostSince.computeIfAbsent(name, n -> now);
        } else {
            lostSince.remove(name);
        }
        long transferSince = now;
        if (record.transferTo() == null) {
            transfers.remove(name);
        } else {
            OpenTransfer open = transfers.compute(
                    name,
                    (n, known) -> known != null
                                    && known.epoch() == record.epoch()
                                    && known.target().equals(record.transferTo())
                            ? known
                            : new OpenTransfer(record.epoch(), record.transferTo(), now));
            transferSince = open.since();
        }
        FailoverPolicy.Decision decision = FailoverPolicy.review(
                record,
                all,
                members,
                ownership.placement(),
                settings,
                new FailoverPolicy.Seen(lostAt, transferSince),
                now);
        if (decision instanceof FailoverPolicy.Reassign reassign) {
            reassign(record, reassign, now);
        } else if (decision instanceof FailoverPolicy.GiveUp giveUp) {
            giveUp(record, giveUp, now);
        } else if (decision instanceof FailoverPolicy.NoTarget noTarget) {
            LOG.warning(() -> "NOVA-7011 no node can take over client " + name + " (" + noTarget.why() + ")");
        } else if (decision instanceof FailoverPolicy.EndTransfer end) {
            endTransfer(record, end, now);
        }
    }

    private void reassign(ClientRecord record, FailoverPolicy.Reassign to, long now) {
        String name = record.name();
        Optional<ClientRecord> moved = clients.update(
                name,
                r -> r.epoch() == record.epoch()
                        ? r.failoverAttempt(to.since())
                                .assign(to.target(), to.incarnation(), ClientState.FAILING_OVER, now)
                        : r);
        if (moved.filter(r -> r.epoch() == record.epoch() + 1).isEmpty()) {
            return;
        }
        List<Subscription> dropped = to.first() ? nonPersistent(name) : List.of();
        // Told before the drops: the new owner may be live (and report failover.completed) before they are done.
        events.publish(
                ClusterEvent.FAILOVER_STARTED,
                name,
                null,
                to.why() + "; attempt " + moved.get().failoverAttempts() + " of " + settings.maxAttempts()
                        + " moves it from " + record.owner() + " to " + to.target() + " at epoch "
                        + moved.get().epoch()
                        + (dropped.isEmpty()
                                ? ""
                                : "; non-persistent subscriptions ended with their owner: "
                                        + dropped.stream()
                                                .map(s -> s.id() + " " + s.channel())
                                                .toList()));
        dropped.forEach(s -> subscriptions.remove(s.id()));
    }

    private void giveUp(ClientRecord record, FailoverPolicy.GiveUp giveUp, long now) {
        String name = record.name();
        Optional<ClientRecord> failed =
                clients.update(name, r -> r.epoch() == record.epoch() ? r.unassign(ClientState.FAILED, now) : r);
        if (failed.filter(r -> r.epoch() == record.epoch() + 1).isPresent()) {
            lostSince.remove(name);
            events.publish(
                    ClusterEvent.FAILOVER_FAILED,
                    name,
                    now - giveUp.since(),
                    giveUp.why() + "; POST /api/clients/" + name + "/restart brings it back");
        }
    }

    /**
     * Ends a transfer nobody can finish, as the target does when it aborts: the owner keeps the client and, seeing the
     * record change, delivers again (and writes the state its session really is in). Only the very transfer that was
     * reviewed is ended, not one asked for since.
     */
    private void endTransfer(ClientRecord record, FailoverPolicy.EndTransfer end, long now) {
        Optional<ClientRecord> ended = clients.update(
                record.name(),
                r -> r.epoch() == record.epoch()
                                && Objects.equals(r.transferTo(), record.transferTo())
                                && r.stateChangedAt() == record.stateChangedAt()
                        ? r.transferTo(null).withState(ClientState.CONNECTED, now)
                        : r);
        if (ended.filter(r -> r.epoch() == record.epoch() && r.transferTo() == null)
                .isPresent()) {
            transfers.remove(record.name());
            events.publish(
                    ClusterEvent.TRANSFER_ABORTED,
                    record.name(),
                    now - record.stateChangedAt(),
                    end.why() + "; " + record.owner() + " keeps the client");
        }
    }

    /** Non-persistent subscriptions end with the owner that ran them. */
    /** The subscriptions of a client that end with its owner (dropped by its first failover attempt). */
    private List<Subscription> nonPersistent(String client) {
        return subscriptions.byClient(client).stream()
                .filter(s -> !s.persistent())
                .toList();
    }
}
