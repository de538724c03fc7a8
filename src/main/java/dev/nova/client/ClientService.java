package dev.nova.client;

import dev.nova.NovaException;
import dev.nova.cluster.ClusterBus;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.NodeIdentity;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.config.NovaSettings;
import dev.nova.connection.ClientConnection;
import dev.nova.connection.ConnectionListener;
import dev.nova.connection.ConnectionManager;
import dev.nova.connection.ConnectionStats;
import dev.nova.subscription.Subscription;
import dev.nova.subscription.SubscriptionRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The one entry point for changing clients and their subscriptions, from the REST API or from configuration.
 * Every request is validated in full before anything changes. Changes are written to the replicated registries as
 * intent (a client, its subscriptions, a stop or a restart); whichever node owns the client carries them out,
 * woken by the registries' change notifications (and, as a safety net, by the periodic consistency pass). Any node
 * can therefore serve any request. Operations on one client are serialised on this node.
 */
@ApplicationScoped
public class ClientService implements ConnectionListener {

    /** Bus operation: the counters of one client (argument: its name) or of all clients (empty name). */
    static final byte STATS = 1;

    private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(ClientService.class.getName());

    private final ClientRegistry clients;
    private final SubscriptionRegistry subscriptions;
    private final ConnectionManager connections;
    private final ClusterRuntime cluster;
    private final ClusterBus bus;
    private final NodeIdentity node;
    private final NovaExecutors executors;
    private final ClientValidator validator;
    private final Event<ClientStateChanged> stateEvents;
    /** Lock stripes: operations on one client serialise on its stripe; stripes are never removed. */
    private final Object[] locks = new Object[64];
    /** The restart count each running client was last started or restarted for. */
    private final ConcurrentHashMap<String, Long> appliedRestarts = new ConcurrentHashMap<>();

    @Inject
    public ClientService(
            ClientRegistry clients,
            SubscriptionRegistry subscriptions,
            ConnectionManager connections,
            ClusterRuntime cluster,
            ClusterBus bus,
            NodeIdentity node,
            NovaExecutors executors,
            NovaSettings settings,
            Event<ClientStateChanged> stateEvents) {
        this.clients = clients;
        this.subscriptions = subscriptions;
        this.connections = connections;
        this.cluster = cluster;
        this.bus = bus;
        this.node = node;
        this.executors = executors;
        this.validator = settings == null ? null : new ClientValidator(settings.platforms());
        this.stateEvents = stateEvents;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    protected ClientService() {
        this(null, null, null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        clients.listen(this::reconcileLater);
        subscriptions.listen(this::reconcileLater);
        bus.handle(STATS, arguments -> {
            String name = arguments.readUTF();
            Map<String, ConnectionStats> stats = new LinkedHashMap<>();
            for (ClientConnection connection : connections.all()) {
                if (name.isEmpty() || name.equals(connection.spec().name())) {
                    stats.put(connection.spec().name(), connection.stats());
                }
            }
            return StatsWire.encode(stats);
        });
    }

    /** Validation of declarations and channel lists, shared with the REST layer. */
    public ClientValidator validator() {
        return validator;
    }

    /**
     * Creates a client owned by this node and subscribes its initial channels (persistent).
     *
     * @throws NovaException CONFLICT when the name is taken
     */
    public ClientRecord create(ClientSpec spec, List<String> channels) {
        List<String> initial = channels.isEmpty() ? List.of() : validator.checkChannels(spec, channels);
        synchronized (lock(spec.name())) {
            long now = System.currentTimeMillis();
            ClientRecord record = ClientRecord.created(spec, node.name(), now);
            if (clients.createIfAbsent(record).isPresent()) {
                throw NovaException.conflict("client '" + spec.name() + "' already exists");
            }
            subscriptions.addAll(initial.stream()
                    .map(channel -> new Subscription(SubscriptionRegistry.newId(), spec.name(), channel, true, now))
                    .toList());
            LOG.info(() -> "NOVA-3001 client " + spec.name() + " ("
                    + spec.platform().id() + ") created on node " + node.name());
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

    /** The counters of a client, from its owner; empty when no node runs it or the owner did not answer. */
    public Optional<ConnectionStats> stats(String name) {
        Optional<ClientConnection> local = connections.find(name);
        if (local.isPresent()) {
            return local.map(ClientConnection::stats);
        }
        return clients.find(name)
                .map(ClientRecord::owner)
                .filter(owner -> !owner.equals(node.name()) && cluster.members().contains(owner))
                .flatMap(owner -> ask(owner, name).join().map(all -> all.get(name)));
    }

    /** The counters of every running client in the cluster, asking each other member once, in parallel. */
    public Map<String, ConnectionStats> allStats() {
        Map<String, ConnectionStats> stats = new HashMap<>();
        List<CompletableFuture<Optional<Map<String, ConnectionStats>>>> answers = new ArrayList<>();
        for (String member : cluster.members()) {
            if (!member.equals(node.name())) {
                answers.add(ask(member, ""));
            }
        }
        for (ClientConnection connection : connections.all()) {
            stats.put(connection.spec().name(), connection.stats());
        }
        answers.forEach(answer -> answer.join().ifPresent(stats::putAll));
        return stats;
    }

    private CompletableFuture<Optional<Map<String, ConnectionStats>>> ask(String member, String name) {
        return bus.call(member, STATS, utf(name), REMOTE_TIMEOUT)
                .thenApply(bytes -> {
                    try {
                        return Optional.of(StatsWire.decode(new DataInputStream(new ByteArrayInputStream(bytes))));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .exceptionally(error -> {
                    LOG.fine(() -> "node " + member + " did not answer for counters: " + error);
                    return Optional.empty();
                });
    }

    private static byte[] utf(String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[text.length + 2];
        framed[0] = (byte) (text.length >>> 8);
        framed[1] = (byte) text.length;
        System.arraycopy(text, 0, framed, 2, text.length);
        return framed;
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
        return settle(name, r -> r.state() == ClientState.STOPPED);
    }

    /** Brings a FAILED or STOPPED client back. */
    public ClientRecord restart(String name) {
        synchronized (lock(name)) {
            ClientRecord record = get(name);
            if (record.state() != ClientState.FAILED && record.state() != ClientState.STOPPED && !record.stopped()) {
                throw NovaException.conflict("client '" + name + "' is " + record.state()
                        + "; only FAILED or STOPPED clients can be restarted");
            }
            clients.update(name, ClientRecord::restart);
            reconcile(name);
        }
        return settle(name, r -> r.state() != ClientState.FAILED && r.state() != ClientState.STOPPED);
    }

    /** Waits briefly for the owner to carry out an intent, and answers with the record as it then is. */
    private ClientRecord settle(String name, Predicate<ClientRecord> done) {
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
     * Makes this node's sessions follow the registry for one client: run it if this node owns it, let go of it if
     * not, carry out a stop or restart, and subscribe or unsubscribe channels at the exchange until they match the
     * registry. Returns how many things it had to repair.
     */
    public int reconcile(String name) {
        synchronized (lock(name)) {
            Optional<ClientRecord> found = clients.find(name);
            Optional<ClientConnection> running = connections.find(name);
            if (found.isEmpty() || !node.name().equals(found.get().owner())) {
                if (running.isPresent()) {
                    appliedRestarts.remove(name);
                    connections.release(name);
                    return 1;
                }
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
                appliedRestarts.put(name, record.restarts());
                connections.start(record.spec(), record.epoch(), desired, this);
                return 1;
            }
            ClientConnection connection = running.get();
            int repaired = 0;
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
            if (record != null && node.name().equals(record.owner())) {
                checked += subscriptions.channelsOf(name).size();
            }
            repaired += reconcile(name);
        }
        return new int[] {checked, repaired};
    }

    @Override
    public void stateChanged(String client, ClientState state, String detail) {
        long now = System.currentTimeMillis();
        clients.updateState(client, state, now);
        stateEvents.fire(new ClientStateChanged(client, state, detail, node.name(), now));
    }

    private Object lock(String name) {
        return locks[Math.floorMod(name.hashCode(), locks.length)];
    }

    private static NovaException unknown(String name) {
        return NovaException.notFound("client '" + name + "' does not exist");
    }
}
