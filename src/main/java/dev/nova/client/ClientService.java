package dev.nova.client;

import dev.nova.NovaException;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.ClusterSettings;
import dev.nova.cluster.MembershipChanged;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.connection.ClientConnection;
import dev.nova.connection.ConnectionListener;
import dev.nova.connection.ConnectionManager;
import dev.nova.failover.Ownership;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.ClientState;
import dev.nova.model.ClientStateChanged;
import dev.nova.model.Subscription;
import dev.nova.platform.PlatformCatalog;
import dev.nova.subscription.SubscriptionRegistry;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The one entry point for changing clients and their subscriptions, from the REST API or from configuration.
 * Every request is validated in full before anything changes. Changes are written to the replicated registries as
 * intent (a client and its owner, its subscriptions, a stop, a restart, a takeover); the node that owns the client
 * carries them out, woken by the registries' change notifications (and, as a safety net, by the periodic
 * consistency pass). Any node can therefore serve any request. Operations on one client are serialised on this
 * node.
 *
 * <p>{@link #reconcile} is where fencing happens: a node runs a client only while the record names this node
 * incarnation as owner, at the epoch its session was started for, and while its side of the cluster holds quorum.
 */
@ApplicationScoped
public class ClientService implements ConnectionListener {

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
    /** How long after a merge before clients are started again (records of both sides are being reconciled). */
    private static final Duration MERGE_SETTLE = Duration.ofSeconds(3);

    private static final Logger LOG = Logger.getLogger(ClientService.class.getName());

    private final ClientRegistry clients;
    private final SubscriptionRegistry subscriptions;
    private final ConnectionManager connections;
    private final ClusterRuntime cluster;
    private final Ownership ownership;
    private final ClusterEvents events;
    private final NovaExecutors executors;
    private final ClientValidator validator;
    private final boolean distributedSubscriptions;
    private final Event<ClientStateChanged> stateEvents;
    /** Lock stripes: operations on one client serialise on its stripe; stripes are never removed. */
    private final Object[] locks = new Object[64];
    /** The restart count each running client was last started or restarted for. */
    private final ConcurrentHashMap<String, Long> appliedRestarts = new ConcurrentHashMap<>();

    private volatile long startsAllowedAt;

    @Inject
    public ClientService(
            ClientRegistry clients,
            SubscriptionRegistry subscriptions,
            ConnectionManager connections,
            ClusterRuntime cluster,
            Ownership ownership,
            ClusterEvents events,
            NovaExecutors executors,
            PlatformCatalog platforms,
            ClusterSettings clusterSettings,
            Event<ClientStateChanged> stateEvents) {
        this.clients = clients;
        this.subscriptions = subscriptions;
        this.connections = connections;
        this.cluster = cluster;
        this.ownership = ownership;
        this.events = events;
        this.executors = executors;
        this.validator = platforms == null ? null : new ClientValidator(platforms);
        this.distributedSubscriptions =
                clusterSettings == null || !clusterSettings.enabled() || clusterSettings.distributedSubscriptions();
        this.stateEvents = stateEvents;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    protected ClientService() {
        this(null, null, null, null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        clients.listen(this::reconcileLater);
        subscriptions.listen(this::reconcileLater);
    }

    /**
     * Losing quorum releases every client at once. After a merge, the partitions' records are being reconciled
     * (highest epoch wins) for a moment: clients are not started until that has settled, then every client is
     * reconciled.
     */
    void onMembership(@Observes MembershipChanged change) {
        if (!change.view().quorum()) {
            executors.control().execute(this::reconcileAll);
            return;
        }
        if (change.merge()) {
            startsAllowedAt = System.currentTimeMillis() + MERGE_SETTLE.toMillis();
            executors
                    .timers()
                    .schedule(
                            () -> executors.control().execute(this::reconcileAll),
                            MERGE_SETTLE.toMillis() + 100,
                            TimeUnit.MILLISECONDS);
        }
    }

    /** Validation of declarations and channel lists, shared with the REST layer. */
    public ClientValidator validator() {
        return validator;
    }

    /**
     * Creates a client, placed by region on a live node (this one when clustering is off or the client is pinned),
     * and subscribes its initial channels (persistent). The answer names the owner.
     *
     * @throws NovaException CONFLICT when the name is taken
     */
    public ClientRecord create(ClientSpec spec, List<String> channels) {
        List<String> initial = channels.isEmpty() ? List.of() : validator.checkChannels(spec, channels);
        synchronized (lock(spec.name())) {
            long now = System.currentTimeMillis();
            String owner = ownership
                    .place(spec, clients.list(), Set.of())
                    .orElse(ownership.self().name());
            long incarnation =
                    ownership.incarnationOf(owner).orElse(ownership.self().incarnation());
            ClientRecord record = ClientRecord.created(spec, owner, incarnation, now);
            if (clients.createIfAbsent(record).isPresent()) {
                throw NovaException.conflict("client '" + spec.name() + "' already exists");
            }
            subscriptions.addAll(initial.stream()
                    .map(channel -> new Subscription(SubscriptionRegistry.newId(), spec.name(), channel, true, now))
                    .toList());
            LOG.info(() ->
                    "NOVA-3001 client " + spec.name() + " (" + spec.platform().id() + ") created, owned by " + owner);
            reconcile(spec.name());
            return record;
        }
    }

    /**
     * Creates a client declared in configuration unless the cluster already has one by that name; a differing
     * declaration is reported and ignored (the first one created wins).
     */
    public void createDeclared(ClientSpec spec, List<String> channels) {
        Optional<ClientRecord> existing = clients.find(spec.name());
        if (existing.isPresent()) {
            if (!existing.get().spec().equals(spec)) {
                LOG.warning(() -> "NOVA-3002 client " + spec.name() + " is declared differently on this node than"
                        + " the one that created it; keeping the existing declaration");
            }
            return;
        }
        try {
            create(spec, channels);
        } catch (NovaException e) {
            if (e.kind() != NovaException.Kind.CONFLICT) {
                throw e;
            }
        }
    }

    public ClientRecord get(String name) {
        return clients.find(name).orElseThrow(() -> unknown(name));
    }

    public Optional<ClientRecord> find(String name) {
        return clients.find(name);
    }

    public List<ClientRecord> list() {
        return clients.list();
    }

    /** Removes a client and its subscriptions; its owner closes its sessions. */
    public void delete(String name) {
        synchronized (lock(name)) {
            get(name);
            subscriptions.removeClient(name);
            clients.remove(name);
            reconcile(name);
            LOG.info(() -> "NOVA-3004 client " + name + " deleted");
        }
    }

    /** Closes a client's sessions on purpose; it stays {@code STOPPED} until restarted. */
    public ClientRecord stop(String name) {
        synchronized (lock(name)) {
            ClientRecord record = get(name);
            if (record.stopped()) {
                throw NovaException.conflict("client '" + name + "' is already stopped");
            }
            clients.update(name, ClientRecord::stop);
            reconcile(name);
        }
        return settle(name, r -> r.state() == ClientState.STOPPED || r.owner() == null);
    }

    /** Brings a FAILED or STOPPED client back, on a new owner when its old one is gone. */
    public ClientRecord restart(String name) {
        synchronized (lock(name)) {
            ClientRecord record = get(name);
            if (record.state() != ClientState.FAILED && record.state() != ClientState.STOPPED && !record.stopped()) {
                throw NovaException.conflict("client '" + name + "' is " + record.state()
                        + "; only FAILED or STOPPED clients can be restarted");
            }
            if (ownership.ownerAlive(record)) {
                clients.update(name, ClientRecord::restart);
            } else {
                String target = ownership
                        .place(record.spec(), clients.list(), Set.of())
                        .orElseThrow(() -> NovaException.unavailable("no node can run client '" + name + "'"));
                long incarnation = ownership.incarnationOf(target).orElseThrow();
                long now = System.currentTimeMillis();
                clients.update(name, r -> r.restart().assign(target, incarnation, ClientState.CONNECTING, now));
            }
            reconcile(name);
        }
        return settle(name, r -> r.state() != ClientState.FAILED && r.state() != ClientState.STOPPED);
    }

    /**
     * Moves the client(s) that {@code source} owns to this node (the seed's {@code takeover_subscriptions}):
     * one client, or all of them when {@code client} is null. The new epoch fences the old owner off.
     */
    public List<ClientRecord> takeOver(String client, String source) {
        String self = ownership.self().name();
        boolean known =
                cluster.members().contains(source) || clients.list().stream().anyMatch(r -> source.equals(r.owner()));
        if (!known) {
            throw NovaException.notFound("node '" + source + "' is neither a member nor the owner of any client");
        }
        if (source.equals(self)) {
            throw NovaException.conflict("node '" + source + "' is this node: nothing to take over");
        }
        List<ClientRecord> candidates;
        if (client != null) {
            ClientRecord record = get(client);
            if (!source.equals(record.owner())) {
                throw NovaException.conflict(
                        "client '" + client + "' is owned by " + record.owner() + ", not by " + source);
            }
            if (!record.spec().clusterEnabled()) {
                throw NovaException.conflict("client '" + client + "' is pinned to its node (cluster-enabled=false)");
            }
            candidates = List.of(record);
        } else {
            candidates = clients.list().stream()
                    .filter(r -> source.equals(r.owner()) && r.spec().clusterEnabled())
                    .toList();
        }
        List<String> moved = new ArrayList<>();
        for (ClientRecord record : candidates) {
            synchronized (lock(record.name())) {
                long now = System.currentTimeMillis();
                Optional<ClientRecord> taken = clients.update(
                        record.name(),
                        r -> source.equals(r.owner())
                                ? r.assign(self, ownership.self().incarnation(), ClientState.CONNECTING, now)
                                        .failoverEnded()
                                : r);
                if (taken.filter(ownership::mine).isPresent()) {
                    moved.add(record.name());
                    reconcile(record.name());
                }
            }
        }
        LOG.info(() -> "NOVA-7001 took over " + moved + " from " + source);
        return moved.stream()
                .map(name -> settle(name, r -> r.state() == ClientState.CONNECTED || !ownership.mine(r)))
                .toList();
    }

    /** Waits briefly for the owner to carry out an intent, and answers with the record as it then is. */
    public ClientRecord settle(String name, Predicate<ClientRecord> done) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        ClientRecord record = get(name);
        while (!done.test(record) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            record = get(name);
        }
        return record;
    }

    /**
     * Subscribes channels of a client.
     *
     * @param id caller-chosen id, only for a single channel; null for generated ids
     */
    public List<Subscription> subscribe(String name, List<String> channels, boolean persistent, String id) {
        synchronized (lock(name)) {
            ClientRecord record = get(name);
            if (!distributedSubscriptions && !ownership.mine(record)) {
                throw NovaException.conflict("subscriptions are node-local (nova.cluster.distributed-subscriptions="
                        + "false): subscribe client '" + name + "' on its owner, " + record.owner());
            }
            List<String> checked = validator.checkChannels(record.spec(), channels);
            if (id != null) {
                SubscriptionRegistry.checkId(id);
                if (channels.size() != 1) {
                    throw NovaException.invalid("id can only be given when subscribing a single channel");
                }
            }
            long now = System.currentTimeMillis();
            List<Subscription> created = new ArrayList<>();
            for (String channel : checked) {
                created.add(new Subscription(
                        id != null ? id : SubscriptionRegistry.newId(), name, channel, persistent, now));
            }
            subscriptions.addAll(created);
            reconcile(name);
            return created;
        }
    }

    /** Removes one subscription; the exchange is unsubscribed when no other subscription needs the channel. */
    public void unsubscribe(String name, String id) {
        synchronized (lock(name)) {
            get(name);
            subscriptions
                    .find(id)
                    .filter(s -> s.client().equals(name))
                    .orElseThrow(
                            () -> NovaException.notFound("client '" + name + "' has no subscription '" + id + "'"));
            subscriptions.remove(id);
            reconcile(name);
        }
    }

    /** Reconciles a client soon, on a managed thread (registry notifications arrive on Infinispan's threads). */
    private void reconcileLater(String name) {
        try {
            executors.control().execute(() -> reconcile(name));
        } catch (RuntimeException shuttingDown) {
            LOG.fine(() -> "not reconciling " + name + ": " + shuttingDown);
        }
    }

    /**
     * Makes this node's sessions follow the registry for one client: run it if this node incarnation owns it at
     * the record's epoch and its side holds quorum, let go of it otherwise; carry out a stop or restart; subscribe
     * or unsubscribe channels at the exchange until they match the registry. Returns how many things it repaired.
     */
    public int reconcile(String name) {
        synchronized (lock(name)) {
            Optional<ClientRecord> found = clients.find(name);
            Optional<ClientConnection> running = connections.find(name);
            boolean runHere = found.isPresent()
                    && ownership.mine(found.get())
                    && cluster.view().quorum();
            if (running.isPresent()
                    && (!runHere || running.get().epoch() != found.get().epoch())) {
                // Fencing: another owner, a newer epoch, or no quorum on this side.
                appliedRestarts.remove(name);
                connections.release(name);
                LOG.info(() -> "NOVA-7002 released client " + name
                        + (found.isEmpty()
                                ? " (deleted)"
                                : " (owner " + found.get().owner() + " epoch "
                                        + found.get().epoch() + ")"));
                running = Optional.empty();
                if (!runHere) {
                    return 1;
                }
            }
            if (!runHere) {
                return 0;
            }
            ClientRecord record = found.get();
            Set<String> desired = subscriptions.channelsOf(name);
            if (running.isEmpty()) {
                if (record.stopped()) {
                    if (record.state() != ClientState.STOPPED) {
                        clients.updateState(name, ClientState.STOPPED, System.currentTimeMillis());
                    }
                    return 0;
                }
                if (System.currentTimeMillis() < startsAllowedAt) {
                    // A merge is settling; the scheduled pass after it starts the client if it is still ours.
                    return 0;
                }
                appliedRestarts.put(name, record.restarts());
                return connections.start(record.spec(), record.epoch(), desired, this) == null ? 0 : 1;
            }
            ClientConnection connection = running.get();
            int repaired = 0;
            if (!record.failingOver() && record.transferTo() == null && record.state() != connection.state()) {
                // e.g. after an aborted transfer: the record shows what the session really is.
                clients.updateState(name, connection.state(), System.currentTimeMillis());
            }
            long applied = appliedRestarts.getOrDefault(name, record.restarts());
            if (record.stopped()) {
                if (connection.state() != ClientState.STOPPED) {
                    connection.stop();
                    repaired++;
                }
            } else if (record.restarts() > applied || connection.state() == ClientState.STOPPED) {
                appliedRestarts.put(name, record.restarts());
                connection.restart();
                repaired++;
            }
            Set<String> actual = new HashSet<>(connection.channels().keySet());
            List<String> missing =
                    desired.stream().filter(c -> !actual.contains(c)).toList();
            List<String> orphans =
                    actual.stream().filter(c -> !desired.contains(c)).toList();
            if (!missing.isEmpty()) {
                connection.subscribe(missing);
            }
            if (!orphans.isEmpty()) {
                connection.unsubscribe(orphans);
            }
            return repaired + missing.size() + orphans.size();
        }
    }

    /** One consistency pass over every client: {@code [checked, repaired]} (subscriptions checked, repairs made). */
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

    /**
     * Records the state this node's session of a client reached, unless this node no longer owns it (a fenced
     * node must not write). While a failover is under way the client shows {@code FAILING_OVER} until its new
     * owner is connected; then the failover is complete.
     */
    /** Only the owner incarnation at the record's epoch, on a side with quorum, opens sessions for a client. */
    @Override
    public boolean mayConnect(String client, long epoch) {
        return clients.find(client)
                        .filter(record -> ownership.mine(record) && record.epoch() == epoch)
                        .isPresent()
                && cluster.view().quorum();
    }

    @Override
    public void stateChanged(String client, ClientState state, String detail) {
        long now = System.currentTimeMillis();
        AtomicReference<ClientRecord> before = new AtomicReference<>();
        Optional<ClientRecord> after = clients.update(client, current -> {
            before.set(current);
            if (!ownership.mine(current)) {
                return current;
            }
            if (current.failingOver()) {
                if (state == ClientState.CONNECTED || state == ClientState.FAILED || state == ClientState.STOPPED) {
                    return current.withState(state, now).failoverEnded();
                }
                return current;
            }
            if (current.transferTo() != null && state != ClientState.FAILED) {
                return current;
            }
            return current.state() == state ? current : current.withState(state, now);
        });
        ClientRecord previous = before.get();
        if (previous != null
                && previous.failingOver()
                && after.isPresent()
                && !after.get().failingOver()
                && state == ClientState.CONNECTED) {
            events.publish(
                    ClusterEvent.FAILOVER_COMPLETED,
                    client,
                    now - previous.failoverSince(),
                    "running on " + ownership.self().name() + " after " + previous.failoverAttempts()
                            + " attempt(s), epoch " + previous.epoch());
        }
        stateEvents.fire(
                new ClientStateChanged(client, state, detail, ownership.self().name(), now));
    }

    /** Runs {@code work} under the client's lock, so no reconcile of the client interleaves with it. */
    public void withLock(String name, Runnable work) {
        synchronized (lock(name)) {
            work.run();
        }
    }

    private Object lock(String name) {
        return locks[Math.floorMod(name.hashCode(), locks.length)];
    }

    private static NovaException unknown(String name) {
        return NovaException.notFound("client '" + name + "' does not exist");
    }
}
