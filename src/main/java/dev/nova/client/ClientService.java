package dev.nova.client;

import dev.nova.NovaException;
import dev.nova.cluster.NodeIdentity;
import dev.nova.config.NovaSettings;
import dev.nova.connection.ClientConnection;
import dev.nova.connection.ConnectionListener;
import dev.nova.connection.ConnectionManager;
import dev.nova.connection.ConnectionStats;
import dev.nova.subscription.Subscription;
import dev.nova.subscription.SubscriptionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The one entry point for changing clients and their subscriptions. Every request is validated in full before
 * anything changes; the registries record the intent, and the client's connection on its owner node is told to
 * follow it. Operations on one client are serialised on this node, so a subscribe racing an unsubscribe of the
 * same channel cannot leave the exchange and the registry disagreeing.
 */
@ApplicationScoped
public class ClientService implements ConnectionListener {

    private static final Logger LOG = Logger.getLogger(ClientService.class.getName());

    private final ClientRegistry clients;
    private final SubscriptionRegistry subscriptions;
    private final ConnectionManager connections;
    private final NodeIdentity node;
    private final ClientValidator validator;
    private final Event<ClientStateChanged> stateEvents;
    /** Lock stripes: operations on one client serialise on its stripe; stripes are never removed. */
    private final Object[] locks = new Object[64];

    @Inject
    public ClientService(
            ClientRegistry clients,
            SubscriptionRegistry subscriptions,
            ConnectionManager connections,
            NodeIdentity node,
            NovaSettings settings,
            Event<ClientStateChanged> stateEvents) {
        this.clients = clients;
        this.subscriptions = subscriptions;
        this.connections = connections;
        this.node = node;
        this.validator = new ClientValidator(settings.platforms());
        this.stateEvents = stateEvents;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    protected ClientService() {
        this.clients = null;
        this.subscriptions = null;
        this.connections = null;
        this.node = null;
        this.validator = null;
        this.stateEvents = null;
    }

    /** Validation of declarations and channel lists, shared with the REST layer. */
    public ClientValidator validator() {
        return validator;
    }

    /**
     * Creates a client on this node and subscribes its initial channels (persistent).
     *
     * @throws NovaException CONFLICT when the name is taken
     */
    public ClientRecord create(ClientSpec spec, List<String> channels) {
        List<String> initial = channels.isEmpty() ? List.of() : validator.checkChannels(spec, channels);
        synchronized (lock(spec.name())) {
            long now = System.currentTimeMillis();
            ClientRecord record = new ClientRecord(spec, node.name(), 1, ClientState.CONNECTING, now, now);
            if (clients.createIfAbsent(record).isPresent()) {
                throw NovaException.conflict("client '" + spec.name() + "' already exists");
            }
            subscriptions.addAll(initial.stream()
                    .map(channel -> new Subscription(SubscriptionRegistry.newId(), spec.name(), channel, true, now))
                    .toList());
            connections.start(spec, record.epoch(), initial, this);
            LOG.info(() -> "NOVA-3001 client " + spec.name() + " ("
                    + spec.platform().id() + ") created on node " + node.name());
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

    public List<ClientRecord> list() {
        return clients.list();
    }

    /** The counters of a client, when this node runs it. */
    public Optional<ConnectionStats> stats(String name) {
        return connections.find(name).map(ClientConnection::stats);
    }

    /** Stops a client, removes its subscriptions and forgets it. */
    public void delete(String name) {
        synchronized (lock(name)) {
            get(name);
            try {
                connections.release(name).get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                LOG.warning(() -> "NOVA-3003 client " + name + " did not close within 10 s; removing it anyway");
            } catch (Exception e) {
                LOG.warning(() -> "NOVA-3003 client " + name + " failed to close cleanly: " + e);
            }
            subscriptions.removeClient(name);
            clients.remove(name);
            LOG.info(() -> "NOVA-3004 client " + name + " deleted");
        }
    }

    /** Closes a client's sessions on purpose; it stays {@code STOPPED} until restarted. */
    public ClientRecord stop(String name) {
        synchronized (lock(name)) {
            ClientRecord record = get(name);
            if (record.state() == ClientState.STOPPED) {
                throw NovaException.conflict("client '" + name + "' is already STOPPED");
            }
            connections.find(name).ifPresent(c -> {
                try {
                    c.stop().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warning(() -> "NOVA-3005 client " + name + " did not stop within 10 s: " + e);
                }
            });
            return get(name);
        }
    }

    /** Brings a FAILED or STOPPED client back. */
    public ClientRecord restart(String name) {
        synchronized (lock(name)) {
            ClientRecord record = get(name);
            if (record.state() != ClientState.FAILED && record.state() != ClientState.STOPPED) {
                throw NovaException.conflict("client '" + name + "' is " + record.state()
                        + "; only FAILED or STOPPED clients can be restarted");
            }
            Optional<ClientConnection> connection = connections.find(name);
            if (connection.isPresent()) {
                connection.get().restart();
            } else {
                connections.start(record.spec(), record.epoch(), subscriptions.channelsOf(name), this);
            }
            // The client's lane records CONNECTING, then CONNECTED, as it gets there; answer with where it is going.
            return record.withState(ClientState.CONNECTING, System.currentTimeMillis());
        }
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
            connections.find(name).ifPresent(c -> c.subscribe(checked));
            return created;
        }
    }

    /** Removes one subscription; the exchange is unsubscribed when no other subscription needs the channel. */
    public void unsubscribe(String name, String id) {
        synchronized (lock(name)) {
            get(name);
            Subscription subscription = subscriptions
                    .find(id)
                    .filter(s -> s.client().equals(name))
                    .orElseThrow(
                            () -> NovaException.notFound("client '" + name + "' has no subscription '" + id + "'"));
            subscriptions.remove(id);
            if (!subscriptions.channelsOf(name).contains(subscription.channel())) {
                connections.find(name).ifPresent(c -> c.unsubscribe(List.of(subscription.channel())));
            }
        }
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
