package dev.nova.ownership;

import dev.nova.cluster.MembershipChanged;
import dev.nova.cluster.RecordsSettled;
import dev.nova.cluster.ViewHistory;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.connection.ClientConnection;
import dev.nova.connection.ConnectionListener;
import dev.nova.connection.ConnectionManager;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import dev.nova.model.ClientStateChanged;
import dev.nova.model.NodeIdentity;
import dev.nova.subscription.SubscriptionRegistry;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Makes this node's exchange sessions follow the registry, by the rules of {@link Fencing}: it runs the clients the
 * records give this node incarnation while its side holds quorum, lets go of the others at once, carries out stops
 * and restarts and (un)subscribes channels until the sessions hold what the registry lists. It is woken by the
 * registries' change notifications, by the requests this node serves, by view changes and by the periodic
 * consistency pass. It also writes the states this node's sessions report to their records.
 */
@ApplicationScoped
public class Reconciler implements ConnectionListener {

    /** How soon a state report that found this node unconfirmed is tried again: about a lease beat. */
    private static final long UNCONFIRMED_RETRY_MS = 250;

    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

    private final ClientRegistry clients;
    private final SubscriptionRegistry subscriptions;
    private final ConnectionManager connections;
    private final Ownership ownership;
    private final ClientLocks locks;
    private final ClusterEvents events;
    private final NovaExecutors executors;
    private final Event<ClientStateChanged> stateEvents;
    /** Clients whose state report waits for this node to be confirmed again (one retry at a time each). */
    private final Set<String> retrying = ConcurrentHashMap.newKeySet();
    /** Clients with a pass queued by a registry notification that has not started yet. */
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    /** The restart count each running client was last started or restarted for. */
    private final ConcurrentHashMap<String, Long> appliedRestarts = new ConcurrentHashMap<>();

    @Inject
    public Reconciler(
            ClientRegistry clients,
            SubscriptionRegistry subscriptions,
            ConnectionManager connections,
            Ownership ownership,
            ClientLocks locks,
            ClusterEvents events,
            NovaExecutors executors,
            Event<ClientStateChanged> stateEvents) {
        this.clients = clients;
        this.subscriptions = subscriptions;
        this.connections = connections;
        this.ownership = ownership;
        this.locks = locks;
        this.events = events;
        this.executors = executors;
        this.stateEvents = stateEvents;
    }

    protected Reconciler() {
        this(null, null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        clients.listen(this::reconcileLater);
        subscriptions.listen(this::reconcileLater);
    }

    /**
     * A new view. Losing quorum releases every client at once. After a merge, or when quorum comes back, the records
     * of both sides are being reconciled (highest epoch wins) for a moment: no client is started until they have
     * settled among the members ({@link ViewHistory.Snapshot#settled()}, published with quorum itself).
     */
    public void viewChanged(MembershipChanged change) {
        if (!change.view().quorum()) {
            pause();
            executors.control().execute(this::reconcileAll);
        }
    }

    /**
     * Without quorum every session closes at once, on the view's own thread, without taking the clients' locks or
     * waiting for a pool thread: a registry write caught by the cut (an API call, a transfer) holds its client's lock
     * for the remote timeout, reconciles queued behind it may hold the pool as long, and the others may take the
     * clients over before that. Releasing never blocks (a session closes on its own lane).
     */
    private void pause() {
        if (ownership.quorum()) {
            return; // back already (a short lapse of the lease)
        }
        connections.all().forEach(running -> release(running.spec().name(), "this side holds no quorum"));
    }

    private void release(String name, String why) {
        appliedRestarts.remove(name);
        connections.release(name);
        LOG.info(() -> "NOVA-7002 released client " + name + " (" + why + ")");
    }

    /**
     * The records are the cluster's again after a merge: deletes the other side never saw came back with it and are
     * removed again, then every client is reconciled, starts allowed.
     */
    public void recordsSettled(RecordsSettled settled) {
        executors.control().execute(() -> {
            if (ownership.settled()) {
                clients.sweep();
                subscriptions.sweep();
            }
            reconcileAll();
        });
    }

    /** While a merge settles, clients whose records are not in doubt may be started: every client is reconciled. */
    public void doubtsNarrowed() {
        executors.control().execute(this::reconcileAll);
    }

    /**
     * Reconciles a client soon, on a managed thread (registry notifications arrive on Infinispan's threads). Once per
     * burst: a client created with 100 channels notifies 100 times, and a pass already queued for it reads the
     * registry when it runs, so it sees every change made before it started. Measured with 1,000 clients of 100
     * channels: a pass per notification queued tens of thousands of passes and held new clients' connects for
     * minutes.
     */
    private void reconcileLater(String name) {
        if (!queued.add(name)) {
            return;
        }
        try {
            executors.control().execute(() -> {
                queued.remove(name);
                reconcile(name);
            });
        } catch (RuntimeException shuttingDown) {
            queued.remove(name);
            LOG.fine(() -> "not reconciling " + name + ": " + shuttingDown);
        }
    }

    /** Makes this node's sessions of one client follow the registry; returns how many things it repaired. */
    public int reconcile(String name) {
        return locks.call(name, () -> {
            ClientRecord record = clients.find(name).orElse(null);
            Optional<ClientConnection> running = connections.find(name);
            NodeIdentity self = ownership.self();
            boolean quorum = ownership.quorum();
            int repaired = 0;
            if (running.isPresent()) {
                Optional<String> why = Fencing.mustRelease(record, running.get().epoch(), self, quorum);
                if (why.isPresent()) {
                    release(name, why.get());
                    running = Optional.empty();
                    repaired++;
                }
            }
            if (!Fencing.mayRun(record, self, quorum)) {
                return repaired;
            }
            Fencing.Running now = running.map(c -> new Fencing.Running(
                            c.epoch(), c.state(), c.channels().keySet()))
                    .orElse(null);
            Fencing.Step step = Fencing.next(
                    record, now, subscriptions.channelsOf(name), ownership.settled(name), appliedRestarts.get(name));
            return repaired + apply(record, running.orElse(null), step);
        });
    }

    private int apply(ClientRecord record, ClientConnection connection, Fencing.Step step) {
        String name = record.name();
        if (step instanceof Fencing.Start start) {
            appliedRestarts.put(name, record.restarts());
            return connections.start(record.spec(), record.epoch(), start.channels(), this) == null ? 0 : 1;
        }
        // A node no quorum confirms right now (cut off, or just resumed from a hang) writes no record: the write
        // would wait for answers that do not come, holding this client's lock, and with it the release of its
        // session, for as long. The next pass writes what is still to be written.
        boolean writable = ownership.confirmed();
        if (step instanceof Fencing.RecordStopped) {
            if (writable) {
                clients.updateState(name, ClientState.STOPPED, System.currentTimeMillis());
            }
            return 0;
        }
        if (step instanceof Fencing.Follow follow) {
            if (follow.recordState() != null && writable) {
                // e.g. after an aborted transfer: the record shows what the session really is.
                clients.updateState(name, follow.recordState(), System.currentTimeMillis());
            }
            if (follow.stop()) {
                connection.stop();
            } else if (follow.restart()) {
                appliedRestarts.put(name, record.restarts());
                connection.restart();
            }
            if (!follow.subscribe().isEmpty()) {
                connection.subscribe(follow.subscribe());
            }
            if (!follow.unsubscribe().isEmpty()) {
                connection.unsubscribe(follow.unsubscribe());
            }
            return follow.repairs();
        }
        return 0;
    }

    /** One pass over every client: {@code [checked, repaired]} (subscriptions checked, repairs made). */
    public int[] reconcileAll() {
        Set<String> names = new HashSet<>();
        clients.list().forEach(r -> names.add(r.name()));
        connections.all().forEach(c -> names.add(c.spec().name()));
        int checked = 0;
        int repaired = 0;
        for (String name : names) {
            ClientRecord record = clients.find(name).orElse(null);
            if (record != null && ownership.mine(record)) {
                checked += subscriptions.channelsOf(name).size();
            }
            repaired += reconcile(name);
        }
        return new int[] {checked, repaired};
    }

    /** Only the owner incarnation at the record's epoch, on a side with quorum, opens sessions for a client. */
    @Override
    public boolean mayConnect(String client, long epoch) {
        return Fencing.mayConnect(clients.find(client).orElse(null), epoch, ownership.self(), ownership.quorum());
    }

    /**
     * Records the state this node's session of a client reached ({@link Fencing#reported}); a failover that this
     * completes is reported as {@code nova.cluster.failover.completed}.
     */
    @Override
    public void stateChanged(String client, long epoch, ClientState state, String detail) {
        long now = System.currentTimeMillis();
        NodeIdentity self = ownership.self();
        if (!ownership.confirmed()) {
            // Cut off or just resumed from a hang: the write would wait for the remote timeout. The connection reports
            // its state again while this node still runs it at that epoch: a short lapse must not lose the report
            // that completes a failover; a real pause releases the client, which ends the retries.
            LOG.fine(() -> "not recording state " + state + " of " + client + " yet: no quorum confirms this node");
            if (retrying.add(client)) {
                executors
                        .timers()
                        .schedule(
                                () -> {
                                    retrying.remove(client);
                                    connections
                                            .find(client)
                                            .filter(c -> c.epoch() == epoch)
                                            .ifPresent(c -> c.reportAgain(detail));
                                },
                                UNCONFIRMED_RETRY_MS,
                                TimeUnit.MILLISECONDS);
            }
            return;
        }
        AtomicReference<ClientRecord> before = new AtomicReference<>();
        Optional<ClientRecord> after = clients.update(client, current -> {
            before.set(current);
            return Fencing.reported(current, self, epoch, state, now);
        });
        ClientRecord previous = before.get();
        if (previous == null || !previous.ownedBy(self.name(), self.incarnation()) || previous.epoch() != epoch) {
            return; // a session this node no longer runs: nothing to tell
        }
        if (Fencing.completedFailover(previous, after.orElse(null), state)) {
            events.publish(
                    ClusterEvent.FAILOVER_COMPLETED,
                    client,
                    now - previous.failoverSince(),
                    "running on " + self.name() + " after " + previous.failoverAttempts() + " attempt(s), epoch "
                            + previous.epoch());
        }
        stateEvents.fire(new ClientStateChanged(client, state, detail, self.name(), now));
    }
}
