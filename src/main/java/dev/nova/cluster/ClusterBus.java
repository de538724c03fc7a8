package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.blocks.MessageDispatcher;
import org.jgroups.blocks.RequestHandler;
import org.jgroups.blocks.RequestOptions;
import org.jgroups.blocks.Response;
import org.jgroups.fork.ForkChannel;
import org.jgroups.stack.IpAddress;
import org.jgroups.util.NameCache;

/**
 * The cluster bus: fork channels on the JGroups channel of Infinispan's transport (no second network stack, no HTTP
 * between nodes). One-way messages go on a fork channel per {@link Topic}; a feature registers the {@link Receiver}
 * of its topic and sends opaque bytes to a node by name. Nodes ask each other small questions on the {@code rpc}
 * fork through a JGroups {@link MessageDispatcher}, one {@link Operation} each. The bus knows no feature: what the
 * bytes mean is up to the sender and the receiver.
 */
@ApplicationScoped
public class ClusterBus {

    /** One-way messages, each kind on a fork channel of its own. */
    public enum Topic {
        /** Market data from the owner of a client to the nodes with consumers of its channel. */
        MARKET_DATA("market-data"),
        /** A cluster event, for the event streams of the other nodes. */
        CLUSTER_EVENT("events"),
        /** A node says it is leaving on purpose (a graceful shutdown), so its departure is not a failure. */
        LEAVING("leaving"),
        /** An operator declared members gone for good ({@code POST /api/cluster/forget}): every member forgets them. */
        FORGET("forget"),
        /**
         * The cluster lease's beats: who a node hears ({@link Leases}). Out of band: a beat is delivered as it
         * arrives, never held behind a slow handler of an earlier message from the same member, since its arrival is
         * what says that member was heard (a beat delivered seconds late would keep a cut-off node confirmed).
         */
        LEASE("lease", true);

        private final String fork;
        private final boolean outOfBand;

        Topic(String fork) {
            this(fork, false);
        }

        Topic(String fork, boolean outOfBand) {
            this.fork = fork;
            this.outOfBand = outOfBand;
        }
    }

    /** The questions nodes ask each other, one enum for every remote call in the cluster; the code is on the wire. */
    public enum Operation {
        /** The counters of one client (argument: its name) or of every client the node runs (empty name). */
        CLIENT_STATS(1),
        /** Run a consistency pass and answer what it checked and repaired. */
        SYNC_PASS(2),
        /** The source's side of a make-before-break transfer: mute and say where delivery stopped. */
        HANDOVER(3),
        /** What a member says of itself: status, quorum, exchange sessions (no argument). */
        NODE_REPORT(4),
        /** Drain this node, or stop draining it (argument: a boolean, whether to drain); answers its drain report. */
        DRAIN(5),
        /**
         * The sequenced messages a node kept of some channels after a sequence (arguments: the sequence, a client or
         * empty, the channels); answers them, for a consumer resuming with {@code Last-Event-ID}.
         */
        REPLAY(6),
        /**
         * Put new exchange credentials into use for a client this node runs (arguments: the client, the client id,
         * the sealed secret); answers whether the exchange accepted them, and its message when not.
         */
        ROTATE_CREDENTIALS(7);

        private final byte code;

        Operation(int code) {
            this.code = (byte) code;
        }

        static Operation of(byte code) {
            for (Operation operation : values()) {
                if (operation.code == code) {
                    return operation;
                }
            }
            return null;
        }
    }

    /** Takes the messages of one topic, on a JGroups thread: must not block. */
    @FunctionalInterface
    public interface Receiver {
        void receive(byte[] array, int offset, int length) throws IOException;
    }

    /** Answers one operation, on a managed thread: arguments in, answer out. */
    @FunctionalInterface
    public interface Handler {
        byte[] handle(DataInputStream arguments) throws Exception;
    }

    /** Sends one topic's messages to a node by name, bound to the bus (no proxy on a hot path). */
    @FunctionalInterface
    public interface Sender {
        /** False when the node is not reachable (not a member, or the bus is off). */
        boolean send(String node, byte[] payload) throws Exception;
    }

    static final String FORK_STACK = "nova";
    private static final Logger LOG = Logger.getLogger(ClusterBus.class.getName());

    private final ClusterRuntime cluster;
    private final NovaExecutors executors;
    private final Map<Topic, ForkChannel> forks = new EnumMap<>(Topic.class);
    private final AtomicReferenceArray<Receiver> receivers = new AtomicReferenceArray<>(Topic.values().length);
    private final AtomicReferenceArray<Handler> handlers = new AtomicReferenceArray<>(Operation.values().length);
    private final LongAdder unreadable = new LongAdder();
    private volatile Map<String, Address> addresses = Map.of();
    private ForkChannel rpc;
    private MessageDispatcher dispatcher;
    /** This node's name, read once: a send runs for every forwarded message and a proxied call is not free. */
    private String self;

    @Inject
    public ClusterBus(ClusterRuntime cluster, NovaExecutors executors) {
        this.cluster = cluster;
        this.executors = executors;
    }

    protected ClusterBus() {
        this(null, null);
    }

    @PostConstruct
    void start() {
        self = cluster.identity().name();
        JChannel main = cluster.channel().orElse(null);
        if (main == null) {
            return;
        }
        try {
            for (Topic topic : Topic.values()) {
                ForkChannel fork = new ForkChannel(main, FORK_STACK, topic.fork);
                fork.setReceiver(new TopicReceiver(topic));
                fork.connect(cluster.settings().name());
                forks.put(topic, fork);
            }
            rpc = new ForkChannel(main, FORK_STACK, "rpc");
            dispatcher = new MessageDispatcher(rpc, new RpcHandler());
            dispatcher.asyncDispatching(true);
            rpc.connect(cluster.settings().name());
        } catch (Exception e) {
            throw new IllegalStateException("NOVA-1010 the cluster bus could not open its fork channels", e);
        }
        refreshAddresses(main.getView());
        listen(
                Topic.LEAVING,
                (array, offset, length) -> cluster.leaving(
                        new DataInputStream(new ByteArrayInputStream(array, offset, length)).readUTF()));
        listen(Topic.FORGET, (array, offset, length) -> {
            String names = new DataInputStream(new ByteArrayInputStream(array, offset, length)).readUTF();
            cluster.forget(Set.of(names.split(",")));
        });
    }

    /**
     * Forgets members on this node and tells every other member of its view to forget them too (those it cannot
     * reach are told by the operator's next call, on their side: forgetting twice changes nothing).
     */
    public CompletableFuture<ViewHistory.Snapshot> forget(Set<String> members) {
        if (active() && !members.isEmpty()) {
            broadcast(Topic.FORGET, utf(String.join(",", new TreeSet<>(members))));
        }
        return cluster.forget(members);
    }

    /** Starts with the application: other nodes may ask this one before anything here uses this bean. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct opens the fork channels.
    }

    @PreDestroy
    void stop() {
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
        forks.values().forEach(ForkChannel::close);
    }

    /** Whether this node has a bus (it is clustered). */
    public boolean active() {
        return !forks.isEmpty();
    }

    // ---- one-way messages ----

    /** Registers the receiver of a topic's messages; messages of a topic without one are dropped. */
    public void listen(Topic topic, Receiver receiver) {
        receivers.set(topic.ordinal(), receiver);
    }

    /** Sends to one node; false when it is not reachable. Never waits long: JGroups queues the message. */
    public boolean send(String node, Topic topic, byte[] payload) throws Exception {
        ForkChannel fork = forks.get(topic);
        Address address = addresses.get(node);
        if (fork == null || address == null || node.equals(self)) {
            return false;
        }
        Message message = new BytesMessage(address, payload);
        if (topic.outOfBand) {
            message.setFlag(Message.Flag.OOB, Message.Flag.DONT_BUNDLE);
        }
        fork.send(message);
        return true;
    }

    /** The names of the current view's members, this node's included. */
    public Set<String> members() {
        return addresses.keySet();
    }

    /** {@link #send} for one topic, bound to this instance: a caller resolves it once, not per message. */
    public Sender sender(Topic topic) {
        return (node, payload) -> send(node, topic, payload);
    }

    /** Sends to every other member; a member it cannot reach is skipped (and logged). */
    public void broadcast(Topic topic, byte[] payload) {
        addresses.keySet().forEach(node -> {
            try {
                send(node, topic, payload);
            } catch (Exception e) {
                LOG.log(Level.FINE, topic + " to " + node + " not sent", e);
            }
        });
    }

    /** Tells every member, before this node leaves on purpose, that its departure is not a failure. */
    void announceLeaving(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        if (active()) {
            broadcast(Topic.LEAVING, utf(self));
        }
    }

    /** The JGroups (TCP) address of a member of the current view, where its process listens while it lives. */
    public Optional<InetSocketAddress> physicalAddress(String node) {
        Address address = addresses.get(node);
        JChannel main = cluster.channel().orElse(null);
        if (address == null || main == null) {
            return Optional.empty();
        }
        Object physical = main.down(new Event(Event.GET_PHYSICAL_ADDRESS, address));
        return physical instanceof IpAddress ip
                ? Optional.of(new InetSocketAddress(ip.getIpAddress(), ip.getPort()))
                : Optional.empty();
    }

    /** Messages that arrived and could not be read. */
    public long unreadableCount() {
        return unreadable.sum();
    }

    private final class TopicReceiver implements org.jgroups.Receiver {
        private final Topic topic;

        TopicReceiver(Topic topic) {
            this.topic = topic;
        }

        @Override
        public void receive(Message message) {
            Receiver receiver = receivers.get(topic.ordinal());
            if (receiver == null) {
                return;
            }
            try {
                receiver.receive(message.getArray(), message.getOffset(), message.getLength());
            } catch (IOException | RuntimeException e) {
                unreadable.increment();
                LOG.log(
                        Level.WARNING,
                        "NOVA-1011 a " + topic + " message from " + message.getSrc() + " could not be read",
                        e);
            }
        }

        @Override
        public void viewAccepted(View view) {
            refreshAddresses(view);
        }
    }

    private void refreshAddresses(View view) {
        if (view == null) {
            return;
        }
        Map<String, Address> byName = new HashMap<>();
        for (Address address : view.getMembers()) {
            // The logical name is the node name; toString() may decorate it (Infinispan adds its version).
            String name = NameCache.get(address);
            byName.put(name == null ? address.toString() : name, address);
        }
        addresses = Map.copyOf(byName);
    }

    // ---- rpc ----

    /** Registers the answer to an operation. */
    public void handle(Operation operation, Handler handler) {
        handlers.set(operation.ordinal(), handler);
    }

    /** Asks one node; fails when it does not answer within {@code timeout}. */
    public CompletableFuture<byte[]> call(String node, Operation operation, byte[] arguments, Duration timeout) {
        Address address = addresses.get(node);
        if (dispatcher == null || address == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("node " + node + " is not a member"));
        }
        byte[] payload = new byte[arguments.length + 1];
        payload[0] = operation.code;
        System.arraycopy(arguments, 0, payload, 1, arguments.length);
        try {
            return dispatcher.<byte[]>sendMessageWithFuture(
                    new BytesMessage(address, payload), RequestOptions.SYNC().timeout(timeout.toMillis()));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A string as {@link java.io.DataInput#readUTF()} reads it. */
    public static byte[] utf(String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[text.length + 2];
        framed[0] = (byte) (text.length >>> 8);
        framed[1] = (byte) text.length;
        System.arraycopy(text, 0, framed, 2, text.length);
        return framed;
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
            byte code = payload[offset];
            Operation operation = Operation.of(code);
            Handler handler = operation == null ? null : handlers.get(operation.ordinal());
            executors.control().execute(() -> {
                try {
                    if (handler == null) {
                        throw new IllegalStateException("no handler for operation " + code);
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
}
