package dev.nova.ownership;

import dev.nova.NovaException;
import dev.nova.cluster.ClusterBus;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.concurrency.SerialExecutor;
import dev.nova.connection.ConnectionManager;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import dev.nova.stream.HandoverGate;
import dev.nova.subscription.SubscriptionRegistry;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Make-before-break transfer of a client to another node (the seed's {@code transfer_client}). The request marks
 * the record {@code TRANSFERRING} towards the target; the target opens a shadow session (connected, authenticated,
 * subscribed) that buffers what it receives; once it has data on every channel it asks the source to hand over,
 * and the source mutes its delivery and says the last sequence it delivered on each channel; the target then takes
 * the record at the next epoch (which fences the source off, so it closes) and delivers from its buffer exactly what
 * comes after those sequences, then live. Consumers see no gap and no duplicate. Past
 * {@code nova.failover.transfer-timeout} the transfer aborts and the source keeps the client.
 */
@ApplicationScoped
public class TransferService {

    private static final long TICK_MS = 50;
    private static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(3);
    private static final Logger LOG = Logger.getLogger(TransferService.class.getName());

    private final ClientRegistry clients;
    private final ClientLocks locks;
    private final Reconciler reconciler;
    private final SubscriptionRegistry subscriptions;
    private final ConnectionManager connections;
    private final Ownership ownership;
    private final ClusterBus bus;
    private final ClusterEvents events;
    private final NovaExecutors executors;
    private final FailoverSettings settings;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, String> abortReasons = new ConcurrentHashMap<>();
    private SerialExecutor lane;
    private ScheduledFuture<?> ticker;

    /** A transfer this node is the target of. */
    private record Pending(ConnectionManager.Shadow shadow, long epoch, String source, long startedAt) {}

    @Inject
    public TransferService(
            ClientRegistry clients,
            ClientLocks locks,
            Reconciler reconciler,
            SubscriptionRegistry subscriptions,
            ConnectionManager connections,
            Ownership ownership,
            ClusterBus bus,
            ClusterEvents events,
            NovaExecutors executors,
            FailoverSettings settings) {
        this.clients = clients;
        this.locks = locks;
        this.reconciler = reconciler;
        this.subscriptions = subscriptions;
        this.connections = connections;
        this.ownership = ownership;
        this.bus = bus;
        this.events = events;
        this.executors = executors;
        this.settings = settings;
    }

    protected TransferService() {
        this(null, null, null, null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        lane = new SerialExecutor(executors.control(), "transfers");
        clients.listen(name -> lane.execute(() -> onRecord(name)));
        bus.handle(ClusterBus.Operation.HANDOVER, this::handOver);
        ticker = executors
                .timers()
                .scheduleWithFixedDelay(() -> lane.execute(this::tick), TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Starts with the application: a transfer may target this node before anything here uses this bean. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers it.
    }

    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.cancel(false);
        }
        pending.values().forEach(p -> p.shadow().connection().close());
        pending.clear();
    }

    /**
     * Asks for a transfer and waits for its outcome: the record owned by the target, or a conflict saying why the
     * transfer was aborted (the source then keeps the client).
     */
    public ClientRecord transfer(String name, String target) {
        ClientRecord record = get(name);
        MovePolicy.checkTransfer(record, target, ownership.members());
        long now = System.currentTimeMillis();
        abortReasons.remove(name);
        Optional<ClientRecord> marked =
                clients.update(name, r -> MovePolicy.transferStarted(r, record.epoch(), target, now));
        if (marked.filter(r -> target.equals(r.transferTo())).isEmpty()) {
            throw NovaException.conflict("client '" + name + "' changed while the transfer was being asked for");
        }
        Duration patience = settings.transferTimeout().plus(HANDOVER_TIMEOUT).plusSeconds(2);
        ClientRecord current = clients.await(
                        name, r -> movedTo(r, target, record.epoch()) || r.transferTo() == null, patience)
                .orElseThrow(() -> unknown(name));
        if (movedTo(current, target, record.epoch())) {
            return current;
        }
        String reason = abortReasons.getOrDefault(name, "the target did not take the client over in time");
        throw NovaException.conflict("transfer of client '" + name + "' to " + target + " aborted: " + reason + "; "
                + current.owner() + " keeps the client");
    }

    /** Starts or discards this node's shadow of a client as the record changes; unmutes a source after an abort. */
    private void onRecord(String name) {
        Optional<ClientRecord> found = clients.find(name);
        Pending mine = pending.get(name);
        String self = ownership.self().name();
        if (mine != null) {
            boolean stillOurs = found.isPresent()
                    && self.equals(found.get().transferTo())
                    && found.get().epoch() == mine.epoch();
            if (!stillOurs && !(found.isPresent() && ownership.mine(found.get()))) {
                discard(
                        name,
                        "the client changed ("
                                + found.map(r -> "owner " + r.owner() + ", epoch " + r.epoch())
                                        .orElse("deleted") + ")");
            }
            return;
        }
        if (found.isEmpty()) {
            return;
        }
        ClientRecord record = found.get();
        if (self.equals(record.transferTo()) && !ownership.mine(record) && ownership.quorum()) {
            var shadow = connections.startShadow(record.spec(), record.epoch() + 1, subscriptions.channelsOf(name));
            pending.put(name, new Pending(shadow, record.epoch(), record.owner(), System.currentTimeMillis()));
            LOG.info(
                    () -> "NOVA-7020 client " + name + ": shadow session opened for a transfer from " + record.owner());
        } else if (ownership.mine(record) && record.transferTo() == null) {
            connections.gate(name).ifPresent(HandoverGate::unmute);
        }
    }

    private void tick() {
        long now = System.currentTimeMillis();
        for (Map.Entry<String, Pending> entry : Map.copyOf(pending).entrySet()) {
            String name = entry.getKey();
            Pending transfer = entry.getValue();
            try {
                Set<String> channels = subscriptions.channelsOf(name);
                if (now - transfer.startedAt() > settings.transferTimeout().toMillis()) {
                    abort(
                            name,
                            transfer,
                            "the target received no data on every channel within "
                                    + settings.transferTimeout().toMillis() + " ms (nova.failover.transfer-timeout)");
                } else if (transfer.shadow().connection().state() == ClientState.CONNECTED
                        && transfer.shadow().gate().hasDataOn(channels)) {
                    switchOver(name, transfer);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "NOVA-7021 transfer of client " + name + " failed", e);
                abort(name, transfer, e.getMessage());
            }
        }
    }

    /** The handover: the source mutes and says where it stopped, this node takes the record and goes live. */
    private void switchOver(String name, Pending transfer) {
        HandoverGate.Handover handover;
        try {
            byte[] answer = bus.call(
                            transfer.source(),
                            ClusterBus.Operation.HANDOVER,
                            request(name, transfer.epoch()),
                            HANDOVER_TIMEOUT)
                    .get(HANDOVER_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
            handover = decode(answer);
        } catch (Exception e) {
            abort(name, transfer, "the source did not hand over (" + e.getMessage() + ")");
            return;
        }
        HandoverGate.Handover point = handover;
        boolean[] done = {false};
        locks.run(name, () -> {
            if (!connections.adopt(transfer.shadow(), reconciler)) {
                return;
            }
            long now = System.currentTimeMillis();
            String self = ownership.self().name();
            Optional<ClientRecord> taken = clients.update(
                    name,
                    r -> r.epoch() == transfer.epoch() && self.equals(r.transferTo())
                            ? r.assign(self, ownership.self().incarnation(), ClientState.CONNECTED, now)
                            : r);
            if (taken.filter(ownership::mine).isPresent()) {
                int delivered = transfer.shadow().gate().goLive(point);
                done[0] = true;
                pending.remove(name);
                events.publish(
                        ClusterEvent.TRANSFER_COMPLETED,
                        name,
                        now - transfer.startedAt(),
                        "from "
                                + transfer.source() + " to " + self + " at epoch "
                                + taken.get().epoch() + "; " + delivered
                                + " buffered message(s) delivered after the handover point");
            } else {
                connections.release(name);
            }
        });
        if (!done[0]) {
            abort(name, transfer, "the client changed during the handover");
        }
    }

    /** Ends a transfer this node targets; the source keeps the client. */
    private void abort(String name, Pending transfer, String reason) {
        discard(name, reason);
        abortReasons.put(name, reason);
        String self = ownership.self().name();
        clients.update(
                name,
                r -> r.epoch() == transfer.epoch() && self.equals(r.transferTo())
                        ? r.transferTo(null).withState(ClientState.CONNECTED, System.currentTimeMillis())
                        : r);
        events.publish(
                ClusterEvent.TRANSFER_ABORTED,
                name,
                System.currentTimeMillis() - transfer.startedAt(),
                reason + "; " + transfer.source() + " keeps the client");
    }

    private void discard(String name, String reason) {
        Pending transfer = pending.remove(name);
        if (transfer != null
                && connections.find(name).orElse(null) != transfer.shadow().connection()) {
            transfer.shadow().connection().close();
            LOG.info(() -> "NOVA-7022 client " + name + ": shadow session closed: " + reason);
        }
    }

    /** The source's side: mute delivery and say where it stopped; unmuted again if the transfer never completes. */
    private byte[] handOver(DataInputStream arguments) throws IOException {
        String name = arguments.readUTF();
        long epoch = arguments.readLong();
        String target = arguments.readUTF();
        ClientRecord record = get(name);
        if (!ownership.mine(record) || record.epoch() != epoch || !target.equals(record.transferTo())) {
            throw new IllegalStateException("client " + name + " is not this node's to hand over at epoch " + epoch);
        }
        HandoverGate gate = connections
                .gate(name)
                .orElseThrow(() -> new IllegalStateException("client " + name + " does not run here"));
        HandoverGate.Handover handover = gate.mute();
        executors
                .timers()
                .schedule(
                        () -> lane.execute(
                                () -> clients.find(name).filter(ownership::mine).ifPresent(r -> gate.unmute())),
                        settings.transferTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
        return encode(handover);
    }

    private byte[] request(String name, long epoch) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(name);
            out.writeLong(epoch);
            out.writeUTF(ownership.self().name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] encode(HandoverGate.Handover handover) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(handover.mutedAt());
            out.writeInt(handover.lastSequences().size());
            for (Map.Entry<String, Long> entry : handover.lastSequences().entrySet()) {
                out.writeUTF(entry.getKey());
                out.writeLong(entry.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static HandoverGate.Handover decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            long mutedAt = in.readLong();
            int count = in.readInt();
            Map<String, Long> last = new HashMap<>();
            for (int i = 0; i < count; i++) {
                last.put(in.readUTF(), in.readLong());
            }
            return new HandoverGate.Handover(last, mutedAt);
        }
    }

    private ClientRecord get(String name) {
        return clients.find(name).orElseThrow(() -> unknown(name));
    }

    private static NovaException unknown(String name) {
        return NovaException.notFound("client '" + name + "' does not exist");
    }

    /** Whether the target took the client over: it owns it at an epoch after the one the transfer began at. */
    private static boolean movedTo(ClientRecord record, String target, long epoch) {
        return target.equals(record.owner()) && record.epoch() > epoch;
    }
}
