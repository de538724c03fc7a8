package dev.nova.ownership;

import dev.nova.NovaException;
import dev.nova.cluster.ClusterBus;
import dev.nova.cluster.NodeDirectory;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drains a node: every member keeps clients off it (its node record says it is draining, {@link Members#candidates}),
 * and it moves each of its clients to the member placement picks by a make-before-break transfer
 * ({@link TransferService}: consumers see no gap), a few at a time, round after round, until it owns none; it then
 * reports {@code drained}. A stopped client changes owner without a session; a client that is not connected now
 * (reconnecting, moving) waits for a later round. Asked through the API for any member (the cluster bus carries the
 * request to it), and by the node itself when it stops ({@code nova.cluster.drain-on-stop}), for at most
 * {@code nova.cluster.drain-timeout}: what is left then fails over as after a crash.
 */
@ApplicationScoped
public class Drain {

    /** Where a node stands: {@code active}, {@code draining} or {@code drained}. */
    public static final String ACTIVE = "active";

    public static final String DRAINING = "draining";
    public static final String DRAINED = "drained";

    /** How many transfers run at once. */
    static final int MOVERS = 4;

    /** How long this node waits for its node record to say it is draining (a replicated write). */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);
    /** How long a member asked to drain has to answer: longer than its record write. */
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(8);

    private static final long ROUND_PAUSE_MS = 500;
    private static final Logger LOG = Logger.getLogger(Drain.class.getName());

    /**
     * A node's account of its drain.
     *
     * @param clients the clients it still owns
     * @param since when the drain began, epoch millis (0 while active)
     * @param detail why the last round left clients behind; null when none did
     */
    public record Report(String node, String status, int clients, long since, String detail) {}

    private final Ownership ownership;
    private final ClientRegistry clients;
    private final TransferService transfers;
    private final NodeDirectory nodes;
    private final ClusterBus bus;
    private final ClusterEvents events;
    private final NovaExecutors executors;
    private final DrainSettings settings;

    private volatile String status = ACTIVE;
    private volatile long since;
    private volatile String detail;
    /** Counts the drains begun: a round of an earlier one (cancelled since) stops. */
    private volatile long generation;
    /** Whether the drain stopped because no other member could take any of this node's clients. */
    private volatile boolean stuck;

    private ExecutorService worker;
    private final List<ExecutorService> movers = new ArrayList<>();

    @Inject
    public Drain(
            Ownership ownership,
            ClientRegistry clients,
            TransferService transfers,
            NodeDirectory nodes,
            ClusterBus bus,
            ClusterEvents events,
            NovaExecutors executors,
            DrainSettings settings) {
        this.ownership = ownership;
        this.clients = clients;
        this.transfers = transfers;
        this.nodes = nodes;
        this.bus = bus;
        this.events = events;
        this.executors = executors;
        this.settings = settings;
    }

    protected Drain() {
        this(null, null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        worker = executors.dedicated("nova-drain");
        for (int i = 0; i < MOVERS; i++) {
            movers.add(executors.dedicated("nova-drain-move-" + i));
        }
        bus.handle(ClusterBus.Operation.DRAIN, arguments -> encode(arguments.readBoolean() ? begin() : cancel()));
    }

    /** Starts with the application: a member may ask this one to drain before anything here uses the bean. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers the answer on the cluster bus.
    }

    /** Drains {@code node} (this one or another member); answers its report. */
    public Report drain(String node) {
        return ask(node, true);
    }

    /** Stops draining {@code node}: clients may go to it again (what it moved away stays where it went). */
    public Report undrain(String node) {
        return ask(node, false);
    }

    /** This node's own account. */
    public Report report() {
        return new Report(self(), status, owned().size(), since, detail);
    }

    /** This node's status: {@code active}, {@code draining} or {@code drained}. */
    public String status() {
        return status;
    }

    private Report ask(String node, boolean drain) {
        if (node.equals(self())) {
            return drain ? begin() : cancel();
        }
        if (!ownership.members().alive(node)) {
            throw NovaException.notFound("node '" + node + "' is not a member of the cluster");
        }
        try {
            byte[] request = {(byte) (drain ? 1 : 0)};
            return decode(bus.call(node, ClusterBus.Operation.DRAIN, request, ASK_TIMEOUT)
                    .get(ASK_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NovaException.unavailable("interrupted while asking node '" + node + "'");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NovaException refused) {
                throw refused;
            }
            throw NovaException.unavailable("node '" + node + "' did not answer the drain request: " + e.getCause());
        } catch (Exception e) {
            throw NovaException.unavailable("node '" + node + "' did not answer the drain request: " + e.getMessage());
        }
    }

    /** Begins a drain, or begins its rounds again when they stopped because no member could take a client. */
    private synchronized Report begin() {
        if (status.equals(DRAINED) || (status.equals(DRAINING) && !stuck)) {
            return report();
        }
        Members members = ownership.members();
        if (!members.clustered()) {
            throw NovaException.conflict(
                    "this node runs alone (nova.cluster.enabled=false): nowhere to move its clients");
        }
        if (!members.quorum()) {
            throw NovaException.conflict("this node's side holds no quorum: no client can be moved now");
        }
        if (status.equals(ACTIVE)) {
            // The record first: should its write fail, the node stays active (its record too) and the caller is told.
            try {
                nodes.draining(true)
                        .orTimeout(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .join();
            } catch (RuntimeException e) {
                nodes.draining(false);
                throw NovaException.unavailable("node " + self() + " could not say in its node record that it is"
                        + " draining (" + e.getMessage() + "); it stays active");
            }
            status = DRAINING;
            since = System.currentTimeMillis();
            int count = owned().size();
            LOG.info(() ->
                    "NOVA-7040 node " + self() + " is draining: moving its " + count + " client(s) to other members");
            events.publish(ClusterEvent.NODE_DRAINING, null, null, count + " client(s) to move");
        }
        detail = null;
        stuck = false;
        long mine = ++generation;
        worker.execute(() -> run(mine));
        return report();
    }

    private synchronized Report cancel() {
        if (status.equals(ACTIVE)) {
            return report();
        }
        generation++;
        status = ACTIVE;
        since = 0;
        detail = null;
        nodes.draining(false)
                .orTimeout(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .join();
        LOG.info(() -> "NOVA-7043 node " + self() + " is no longer drained: clients may be placed on it again");
        return report();
    }

    /** What became of one client in a round. */
    private enum Moved {
        /** Moved, or no longer this node's. */
        DONE,
        /** Not now (not connected, a transfer refused): again in the next round. */
        LATER,
        /** No member can take it (every other one is draining, or none fits its placement). */
        NOWHERE
    }

    /**
     * Rounds of moves until this node owns no client it can move, or the drain is cancelled, or no other member can
     * take any of them (every other member is draining too, as when the whole cluster stops): then it stays
     * {@code draining} and says why.
     */
    private void run(long mine) {
        while (generation == mine) {
            List<ClientRecord> left = owned();
            List<ClientRecord> movable =
                    left.stream().filter(r -> r.spec().clusterEnabled()).toList();
            if (movable.isEmpty()) {
                finish(mine, left.size());
                return;
            }
            List<CompletableFuture<Moved>> moves = new ArrayList<>();
            for (int i = 0; i < movable.size(); i++) {
                ClientRecord record = movable.get(i);
                moves.add(CompletableFuture.supplyAsync(() -> move(record), movers.get(i % MOVERS)));
            }
            try {
                List<Moved> outcomes =
                        moves.stream().map(CompletableFuture::join).toList();
                if (outcomes.stream().allMatch(Moved.NOWHERE::equals)) {
                    stuck = true;
                    LOG.warning(() -> "NOVA-7045 node " + self() + " cannot drain: " + detail);
                    return;
                }
                Thread.sleep(ROUND_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "a drain round ended early", e);
            }
        }
    }

    private synchronized void finish(long mine, int pinned) {
        if (generation != mine) {
            return;
        }
        status = DRAINED;
        long took = System.currentTimeMillis() - since;
        detail = pinned == 0 ? null : pinned + " client(s) pinned to this node (cluster-enabled=false) stay";
        LOG.info(() -> "NOVA-7041 node " + self() + " is drained in " + took + " ms: it runs no client that can move"
                + (pinned == 0 ? "" : " (" + detail + ")"));
        events.publish(ClusterEvent.NODE_DRAINED, null, took, detail);
    }

    /**
     * Moves one client away: a transfer when it is connected; a change of owner when it is stopped or failed (it runs
     * nowhere: the new owner keeps it so until an operator restarts it).
     */
    private Moved move(ClientRecord record) {
        String name = record.name();
        try {
            Members members = ownership.members();
            if (!members.quorum()) {
                detail = "this node's side holds no quorum";
                return Moved.LATER;
            }
            if (!self().equals(record.owner())) {
                return Moved.DONE;
            }
            Set<String> away = Set.of(self());
            Optional<String> target = members.place(ownership.placement(), record.spec(), clients.list(), away);
            if (target.isEmpty()) {
                detail = "no other member can take client " + name + " (every other one is draining, or none fits)";
                return Moved.NOWHERE;
            }
            if (record.stopped() || record.state() == ClientState.FAILED) {
                long incarnation = members.incarnationOf(target.get()).orElseThrow();
                clients.update(
                        name,
                        r -> r.epoch() == record.epoch() && (r.stopped() || r.state() == ClientState.FAILED)
                                ? r.assign(target.get(), incarnation, r.state(), System.currentTimeMillis())
                                : r);
            } else if (record.state() == ClientState.CONNECTED && record.transferTo() == null) {
                transfers.transfer(name, target.get());
            } else {
                detail = "client " + name + " is " + record.state() + ": moved once it is connected";
                return Moved.LATER;
            }
            return Moved.DONE;
        } catch (RuntimeException e) {
            detail = e.getMessage();
            LOG.info(() -> "NOVA-7042 drain of node " + self() + ": client " + name + " not moved yet: " + e);
            return Moved.LATER;
        }
    }

    /**
     * A node that stops moves its clients away first (before its sessions close and it leaves the cluster), for at
     * most {@code nova.cluster.drain-timeout}; what is left then fails over.
     */
    void beforeStop(
            @Observes @Priority(Interceptor.Priority.APPLICATION) @BeforeDestroyed(ApplicationScoped.class)
                    Object event) {
        if (!settings.onStop() || settings.timeout().isZero() || worker == null) {
            return;
        }
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        try {
            Members members = ownership.members();
            if (!members.clustered() || !members.quorum()) {
                return;
            }
            if (owned().isEmpty()) {
                // Nothing to move; the others keep clients off this node while it goes.
                nodes.draining(true)
                        .orTimeout(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .exceptionally(error -> null)
                        .join();
                return;
            }
            begin();
            while (status.equals(DRAINING) && !stuck && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            if (status.equals(DRAINING) && !stuck) {
                int left = owned().size();
                LOG.warning(() -> "NOVA-7044 node " + self() + " stops with " + left + " client(s) not moved after "
                        + settings.timeout().toMillis() + " ms (nova.cluster.drain-timeout): they fail over");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "NOVA-7044 node " + self() + " could not drain before it stops", e);
        } finally {
            generation++;
        }
    }

    private List<ClientRecord> owned() {
        String self = self();
        return clients.list().stream().filter(r -> self.equals(r.owner())).toList();
    }

    private String self() {
        return ownership.self().name();
    }

    static byte[] encode(Report report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(report.node());
            out.writeUTF(report.status());
            out.writeInt(report.clients());
            out.writeLong(report.since());
            out.writeUTF(report.detail() == null ? "" : report.detail());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Report decode(byte[] answer) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(answer))) {
            String node = in.readUTF();
            String status = in.readUTF();
            int clients = in.readInt();
            long since = in.readLong();
            String detail = in.readUTF();
            return new Report(node, status, clients, since, detail.isEmpty() ? null : detail);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
