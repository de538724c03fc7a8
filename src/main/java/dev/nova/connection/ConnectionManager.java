package dev.nova.connection;

import dev.nova.concurrency.NovaExecutors;
import dev.nova.model.ClientSpec;
import dev.nova.model.ClientState;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.SecretBox;
import dev.nova.ratelimit.OutboundGate;
import dev.nova.stream.HandoverGate;
import dev.nova.stream.MessageSink;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * Owns the exchange sessions of every client this node runs: starts and stops {@link ClientConnection}s, drives
 * their liveness checks once a second, and closes everything when the application stops. One Tyrus client on the
 * shared container serves all sessions.
 */
@ApplicationScoped
public class ConnectionManager {

    private static final Logger LOG = Logger.getLogger(ConnectionManager.class.getName());

    private final ConnectionSettings settings;
    private final ExchangeTls tls;
    private final SecretBox secrets;
    private final PlatformCatalog platforms;
    private final NovaExecutors executors;
    private final MessageSink sink;
    private final OutboundGate gate;
    private final ClientMetrics metrics;
    private final ConcurrentHashMap<String, ClientConnection> running = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, HandoverGate> gates = new ConcurrentHashMap<>();
    private ScheduledFuture<?> watchdog;
    private volatile long lastTickAt;
    private volatile boolean closing;
    private TyrusTransport transport;
    private static final int SHARED_CONTAINER_IDLE_SECONDS = 24 * 3600;

    @Inject
    public ConnectionManager(
            ConnectionSettings settings,
            PlatformCatalog platforms,
            NovaExecutors executors,
            MessageSink sink,
            OutboundGate gate,
            MetricRegistry metrics,
            ExchangeTls tls,
            SecretBox secrets) {
        this.settings = settings;
        this.secrets = secrets == null ? SecretBox.none() : secrets;
        this.tls = tls == null ? ExchangeTls.defaults() : tls;
        this.platforms = platforms;
        this.executors = executors;
        this.sink = sink;
        this.gate = gate;
        this.metrics = metrics == null ? null : new ClientMetrics(metrics);
    }

    protected ConnectionManager() {
        this(null, null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        ConnectionSettings connection = settings;
        // The shared container outlives its last session by at least a day (Tyrus' default is 30 s), so a node that
        // takes over clients after a failover finds it running; close() releases it when the application stops.
        // Starting it again (transport, selector and worker threads, classes) was measured at 110-320 ms of a takeover.
        transport = new TyrusTransport(
                connection.connectTimeout(),
                connection.requestTimeout(),
                connection.maxMessageBytes(),
                SHARED_CONTAINER_IDLE_SECONDS,
                tls);
        lastTickAt = System.currentTimeMillis();
        watchdog = executors.timers().scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** At boot, in the background: the WebSocket client is made ready before a client (or a takeover) needs it. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        TyrusTransport ready = transport;
        executors.connector().execute(() -> ready.warmUp(executors.connector()));
    }

    /**
     * Closes every session while all beans are still alive (before any {@code @PreDestroy}), without reporting
     * states: the clients' records belong to whichever node runs them next.
     */
    void closeAll(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        closing = true;
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        List<CompletableFuture<Void>> closing =
                running.values().stream().map(ClientConnection::close).toList();
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "NOVA-2009 not every client closed within 5 s at shutdown", e);
        }
        running.clear();
    }

    @PreDestroy
    void stop() {
        if (transport != null) {
            transport.close();
        }
    }

    private void tick() {
        long now = System.currentTimeMillis();
        lastTickAt = now;
        for (ClientConnection connection : running.values()) {
            connection.checkLiveness(now);
        }
    }

    /** Epoch milliseconds of the last liveness round; a stuck timer shows here. */
    public long lastTickAt() {
        return lastTickAt;
    }

    /**
     * Starts running a client on this node with its initial channels; a client already running is left as is.
     * Returns null while the application is stopping.
     */
    public ClientConnection start(
            ClientSpec spec, long epoch, Collection<String> channels, ConnectionListener listener) {
        if (closing) {
            // The application is stopping: no new exchange sessions.
            return null;
        }
        HandoverGate gate = HandoverGate.live(sink.target());
        ClientConnection created = connection(spec, epoch, gate, listener);
        ClientConnection existing = running.putIfAbsent(spec.name(), created);
        if (existing != null) {
            return existing;
        }
        gates.put(spec.name(), gate);
        metrics.running(created);
        created.start(channels);
        return created;
    }

    /**
     * Starts a shadow of a client for a make-before-break transfer: a full session (connected, authenticated,
     * subscribed) whose messages are kept in a buffering gate and whose state is reported to nobody, not yet
     * among the running clients.
     */
    public Shadow startShadow(ClientSpec spec, long epoch, Collection<String> channels) {
        HandoverGate gate = HandoverGate.buffering(sink.target());
        SwitchableListener listener = new SwitchableListener();
        ClientConnection shadow = connection(spec, epoch, gate, listener);
        shadow.start(channels);
        return new Shadow(shadow, gate, listener);
    }

    /**
     * Makes a shadow the client's running connection; false (and nothing changed) when the client already runs
     * here. Its state is reported to {@code listener} from now on.
     */
    public boolean adopt(Shadow shadow, ConnectionListener listener) {
        String name = shadow.connection().spec().name();
        if (running.putIfAbsent(name, shadow.connection()) != null) {
            return false;
        }
        gates.put(name, shadow.gate());
        metrics.running(shadow.connection());
        shadow.listener().switchTo(listener);
        shadow.connection().reportAgain("adopted");
        return true;
    }

    /** The handover gate of a running client. */
    public Optional<HandoverGate> gate(String client) {
        return Optional.ofNullable(gates.get(client));
    }

    private ClientConnection connection(ClientSpec spec, long epoch, HandoverGate gate, ConnectionListener listener) {
        ConnectionEnvironment env = new ConnectionEnvironment(
                settings,
                transport,
                this.gate,
                gate,
                executors.timers(),
                executors.control(),
                executors.connector(),
                executors.inbound(),
                executors.reports(),
                listener,
                () -> ThreadLocalRandom.current().nextDouble(),
                secrets);
        return new ClientConnection(spec, epoch, platforms.adapter(spec.platform()), env);
    }

    /** A client session started ahead of a transfer, its buffering gate, and the listener it will report to. */
    public record Shadow(ClientConnection connection, HandoverGate gate, SwitchableListener listener) {}

    /** Reports nowhere until switched to a real listener (the connection then tells it the state reached so far). */
    public static final class SwitchableListener implements ConnectionListener {
        private volatile ConnectionListener target;

        @Override
        public void stateChanged(String client, long epoch, ClientState state, String detail) {
            ConnectionListener current = target;
            if (current != null) {
                current.stateChanged(client, epoch, state, detail);
            }
        }

        @Override
        public boolean mayConnect(String client, long epoch) {
            // A shadow connects before the registry names this node: only an adopted one is fenced.
            ConnectionListener current = target;
            return current == null || current.mayConnect(client, epoch);
        }

        void switchTo(ConnectionListener listener) {
            target = listener;
        }
    }

    /** Closes a client's sessions and forgets it, without reporting a state; completes when they are closed. */
    public CompletableFuture<Void> release(String client) {
        ClientConnection connection = running.remove(client);
        gates.remove(client);
        if (connection == null) {
            return CompletableFuture.completedFuture(null);
        }
        metrics.released(client);
        return connection.close();
    }

    public Optional<ClientConnection> find(String client) {
        return Optional.ofNullable(running.get(client));
    }

    public Collection<ClientConnection> all() {
        return List.copyOf(running.values());
    }
}
