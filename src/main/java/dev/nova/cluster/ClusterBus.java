package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import dev.nova.concurrency.SerialExecutor;
import dev.nova.stream.DeliveryLane;
import dev.nova.stream.MarketMessage;
import dev.nova.stream.RemoteMessages;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.blocks.MessageDispatcher;
import org.jgroups.blocks.RequestHandler;
import org.jgroups.blocks.RequestOptions;
import org.jgroups.blocks.Response;
import org.jgroups.fork.ForkChannel;
import org.jgroups.util.NameCache;

/**
 * The cluster bus: two fork channels on the JGroups channel of Infinispan's transport (no second network stack,
 * no HTTP between nodes). On {@code market-data}, the owner of a client sends each message only to the nodes that
 * registered interest in its channel (they have SSE consumers for it); the hot path only enqueues, and a bounded
 * sender lane drops (and counts) rather than block an exchange session. On {@code rpc}, nodes ask each other small
 * questions (a client's counters, a consistency pass) through a JGroups {@link MessageDispatcher}.
 *
 * <p>Interest lives in the replicated {@code interests} cache ({@code channel|node}); each node keeps an index of it
 * fed by a cache listener. The coordinator removes the interest of members that left.
 */
@ApplicationScoped
public class ClusterBus {

    /** An RPC a node answers: arguments in, answer out (both opaque bytes). */
    @FunctionalInterface
    public interface Handler {
        byte[] handle(DataInputStream arguments) throws Exception;
    }

    static final String FORK_STACK = "nova";
    private static final byte MARKET_DATA = 0;
    private static final byte EVENT = 1;
    private static final byte LEAVING = 2;
    private static final int SEND_BUFFER = 1 << 16;
    private static final Logger LOG = Logger.getLogger(ClusterBus.class.getName());

    private final ClusterRuntime cluster;
    private final NovaExecutors executors;
    private final RemoteMessages remote;
    private final ConcurrentHashMap<String, Set<String>> interest = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Byte, Handler> handlers = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private volatile Map<String, Address> addresses = Map.of();
    private ForkChannel data;
    private ForkChannel rpc;
    private MessageDispatcher dispatcher;
    private DeliveryLane<Outgoing> sender;
    private SerialExecutor interestLane;
    /** This node's name, read once: {@link #forward} runs for every message and a proxied call is not free. */
    private String self;

    private record Outgoing(MarketMessage message, Set<String> targets) {}

    @Inject
    public ClusterBus(ClusterRuntime cluster, NovaExecutors executors, RemoteMessages remote) {
        this.cluster = cluster;
        this.executors = executors;
        this.remote = remote;
    }

    protected ClusterBus() {
        this(null, null, null);
    }

    @PostConstruct
    void start() {
        interestLane = new SerialExecutor(executors.control(), "interest");
        self = cluster.identity().name();
        JChannel main = cluster.channel().orElse(null);
        if (main == null) {
            return;
        }
        try {
            data = new ForkChannel(main, FORK_STACK, "market-data");
            data.setReceiver(new Receiver() {
                @Override
                public void receive(Message message) {
                    onMarketData(message);
                }

                @Override
                public void viewAccepted(org.jgroups.View view) {
                    refreshAddresses(view);
                }
            });
            data.connect(cluster.settings().name());
            rpc = new ForkChannel(main, FORK_STACK, "rpc");
            dispatcher = new MessageDispatcher(rpc, new RpcHandler());
            dispatcher.asyncDispatching(true);
            rpc.connect(cluster.settings().name());
        } catch (Exception e) {
            throw new IllegalStateException("NOVA-1010 the cluster bus could not open its fork channels", e);
        }
        sender = new DeliveryLane<>(SEND_BUFFER, executors.delivery()) {
            @Override
            protected CompletionStage<?> deliver(List<Outgoing> batch) {
                for (Outgoing outgoing : batch) {
                    try {
                        send(outgoing);
                    } catch (Exception e) {
                        failed(e);
                    }
                }
                return null;
            }

            @Override
            protected void overflowed() {
                dropped.increment();
            }

            @Override
            protected void failed(Throwable error) {
                dropped.increment();
                LOG.log(Level.FINE, "bus send failed", error);
            }
        };
        Cache<String, String> interests = cluster.interests();
        interests.addListener(new InterestListener());
        interests.keySet().forEach(this::indexAdd);
        refreshAddresses();
    }

    /** Starts with the application: other nodes may ask this one before anything here uses this bean. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers it on the cluster bus.
    }

    @PreDestroy
    void stop() {
        if (sender != null) {
            sender.close();
        }
        try {
            if (dispatcher != null) {
                dispatcher.close();
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the rpc dispatcher failed", e);
        }
        if (rpc != null) {
            rpc.close();
        }
        if (data != null) {
            data.close();
        }
    }

    public boolean active() {
        return data != null;
    }

    // ---- market data ----

    /**
     * {@link #forward} bound to this instance: called once on the client proxy, it lets the hot path forward without
     * the proxy resolving the application context for every message. (A method returning {@code this} would get the
     * proxy back: Weld substitutes it.) An interceptor or decorator bound to {@code forward} would not see these calls.
     */
    public Consumer<MarketMessage> forwarder() {
        return this::forward;
    }

    /** Called for every message this node's clients receive, on the thread handling their frames: only enqueues. */
    public void forward(MarketMessage message) {
        Set<String> targets = interest.get(message.channel());
        if (targets == null || sender == null) {
            return;
        }
        if (targets.size() == 1 && targets.contains(self)) {
            return;
        }
        sender.offer(new Outgoing(message, targets));
    }

    private void send(Outgoing outgoing) throws Exception {
        byte[] bytes = encode(outgoing.message());
        for (String node : outgoing.targets()) {
            Address address = addresses.get(node);
            if (address != null && !node.equals(self)) {
                data.send(new BytesMessage(address, bytes));
                sent.increment();
            }
        }
    }

    private void onMarketData(Message message) {
        try {
            byte[] array = message.getArray();
            int offset = message.getOffset();
            if (array[offset] == LEAVING) {
                cluster.leaving(
                        new DataInputStream(new ByteArrayInputStream(array, offset + 1, message.getLength() - 1))
                                .readUTF());
                return;
            }
            if (array[offset] == EVENT) {
                DataInputStream in =
                        new DataInputStream(new ByteArrayInputStream(array, offset + 1, message.getLength() - 1));
                remote.deliverEvent(in.readUTF(), in.readUTF());
                return;
            }
            remote.deliverRemote(decode(array, offset, message.getLength()));
            received.increment();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "NOVA-1011 a message from " + message.getSrc() + " could not be read", e);
        }
    }

    /** Tells every member, before this node leaves on purpose, that its departure is not a failure. */
    void announceLeaving(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        if (data == null) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(LEAVING);
            out.writeUTF(cluster.identity().name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            data.send(new BytesMessage(null, bytes.toByteArray()));
        } catch (Exception e) {
            LOG.log(Level.FINE, "could not announce leaving", e);
        }
    }

    /** Sends a cluster event (already JSON) to every other member's event streams; never blocks the caller long. */
    public void broadcastEvent(String type, String json) {
        if (data == null) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(json.length() + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(EVENT);
            out.writeUTF(type);
            out.writeUTF(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] payload = bytes.toByteArray();
        String self = cluster.identity().name();
        addresses.forEach((name, address) -> {
            if (!name.equals(self)) {
                try {
                    data.send(new BytesMessage(address, payload));
                } catch (Exception e) {
                    LOG.log(Level.FINE, "event to " + name + " not sent", e);
                }
            }
        });
    }

    static byte[] encode(MarketMessage m) {
        byte[] data = m.data().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + data.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MARKET_DATA);
            out.writeUTF(m.client());
            out.writeUTF(m.channel());
            out.writeLong(m.sequence());
            out.writeLong(m.previous());
            out.writeLong(m.receivedAt());
            out.writeBoolean(m.gap());
            out.writeInt(data.length);
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static MarketMessage decode(byte[] array, int offset, int length) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(array, offset, length))) {
            in.readByte();
            String client = in.readUTF();
            String channel = in.readUTF();
            long sequence = in.readLong();
            long previous = in.readLong();
            long receivedAt = in.readLong();
            boolean gap = in.readBoolean();
            byte[] data = new byte[in.readInt()];
            in.readFully(data);
            return new MarketMessage(
                    client, channel, sequence, previous, receivedAt, gap, new String(data, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- interest ----

    /**
     * Says this node's interest in a channel may have changed; {@code wanted} is asked on a lane of its own when the
     * change is applied, so racing opens and closes of streams always leave the latest truth in the cluster.
     */
    public void interest(String channel, BooleanSupplier wanted) {
        if (!cluster.clustered()) {
            return;
        }
        interestLane.execute(() -> {
            String key = channel + "|" + cluster.identity().name();
            if (wanted.getAsBoolean()) {
                cluster.interests().putIfAbsent(key, cluster.identity().name());
            } else {
                cluster.interests().remove(key);
            }
        });
    }

    private void indexAdd(String key) {
        int bar = key.lastIndexOf('|');
        if (bar > 0) {
            interest.compute(key.substring(0, bar), (c, nodes) -> {
                Set<String> copy = nodes == null ? ConcurrentHashMap.newKeySet() : nodes;
                copy.add(key.substring(bar + 1));
                return copy;
            });
        }
    }

    private void indexRemove(String key) {
        int bar = key.lastIndexOf('|');
        if (bar > 0) {
            interest.computeIfPresent(key.substring(0, bar), (c, nodes) -> {
                nodes.remove(key.substring(bar + 1));
                return nodes.isEmpty() ? null : nodes;
            });
        }
    }

    /**
     * Rebuilds the interest index from the cache. Entries a partition merge put back never raise notifications,
     * so the periodic consistency pass calls this.
     */
    public void reindexInterest() {
        if (!cluster.clustered()) {
            return;
        }
        Map<String, Set<String>> fresh = new HashMap<>();
        for (String key : cluster.interests().keySet()) {
            int bar = key.lastIndexOf('|');
            if (bar > 0) {
                fresh.computeIfAbsent(key.substring(0, bar), c -> ConcurrentHashMap.newKeySet())
                        .add(key.substring(bar + 1));
            }
        }
        interest.keySet().retainAll(fresh.keySet());
        interest.putAll(fresh);
    }

    /** Nodes interested in a channel, for diagnostics. */
    public Map<String, Set<String>> interests() {
        Map<String, Set<String>> copy = new HashMap<>();
        interest.forEach((channel, nodes) -> copy.put(channel, Set.copyOf(nodes)));
        return copy;
    }

    void onMembership(@Observes MembershipChanged change) {
        refreshAddresses();
        if (!cluster.isCoordinator() || change.left().isEmpty()) {
            return;
        }
        // Interest of members that left would only make owners send into the void.
        interestLane.execute(() -> cluster.interests().keySet().stream()
                .filter(key -> change.left().contains(key.substring(key.lastIndexOf('|') + 1)))
                .toList()
                .forEach(key -> cluster.interests().remove(key)));
    }

    private void refreshAddresses() {
        if (data != null && data.getView() != null) {
            refreshAddresses(data.getView());
        }
    }

    private void refreshAddresses(org.jgroups.View view) {
        Map<String, Address> byName = new HashMap<>();
        for (Address address : view.getMembers()) {
            // The logical name is the node name; toString() may decorate it (Infinispan adds its version).
            String name = NameCache.get(address);
            byName.put(name == null ? address.toString() : name, address);
        }
        addresses = Map.copyOf(byName);
    }

    public long sentCount() {
        return sent.sum();
    }

    public long receivedCount() {
        return received.sum();
    }

    public long droppedCount() {
        return dropped.sum();
    }

    // ---- rpc ----

    /** Registers the answer to an RPC operation. */
    public void handle(byte operation, Handler handler) {
        handlers.put(operation, handler);
    }

    /** Asks one node; fails when it does not answer within {@code timeout}. */
    public CompletableFuture<byte[]> call(String node, byte operation, byte[] arguments, Duration timeout) {
        Address address = addresses.get(node);
        if (dispatcher == null || address == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("node " + node + " is not a member"));
        }
        byte[] payload = new byte[arguments.length + 1];
        payload[0] = operation;
        System.arraycopy(arguments, 0, payload, 1, arguments.length);
        try {
            return dispatcher.<byte[]>sendMessageWithFuture(
                    new BytesMessage(address, payload), RequestOptions.SYNC().timeout(timeout.toMillis()));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Answers on a managed thread: handlers touch CDI beans and caches. */
    private final class RpcHandler implements RequestHandler {

        @Override
        public Object handle(Message message) throws Exception {
            throw new UnsupportedOperationException("requests are dispatched asynchronously");
        }

        @Override
        public void handle(Message message, Response response) {
            byte[] payload = message.getArray();
            int offset = message.getOffset();
            Handler handler = handlers.get(payload[offset]);
            executors.control().execute(() -> {
                try {
                    if (handler == null) {
                        throw new IllegalStateException("no handler for operation " + payload[offset]);
                    }
                    byte[] answer = handler.handle(new DataInputStream(
                            new ByteArrayInputStream(payload, offset + 1, message.getLength() - 1)));
                    response.send(answer, false);
                } catch (Exception e) {
                    response.send(e, true);
                }
            });
        }
    }

    /** Keeps the interest index in step with the replicated cache. */
    @Listener(sync = true)
    public final class InterestListener {

        @CacheEntryCreated
        public void created(CacheEntryCreatedEvent<String, String> event) {
            if (!event.isPre()) {
                indexAdd(event.getKey());
            }
        }

        @CacheEntryRemoved
        public void removed(CacheEntryRemovedEvent<String, String> event) {
            if (!event.isPre()) {
                indexRemove(event.getKey());
            }
        }
    }
}
