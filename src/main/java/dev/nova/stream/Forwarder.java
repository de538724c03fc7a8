package dev.nova.stream;

import dev.nova.cluster.ClusterBus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends the market data of the clients this node runs to the nodes with consumers of its channel, over the cluster
 * bus. The thread handling a session's frames only enqueues; a bounded sender lane drops (and counts) rather than
 * block an exchange session, and encodes each message once for all its target nodes.
 */
final class Forwarder {

    private static final int SEND_BUFFER = 1 << 16;
    private static final Logger LOG = Logger.getLogger(Forwarder.class.getName());

    private record Outgoing(MarketMessage message, Set<String> targets) {}

    private final String self;
    private final Map<String, Set<String>> interest;
    private final ClusterBus.Sender sender;
    private final DeliveryLane<Outgoing> lane;
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    /**
     * @param interest the nodes interested in each channel, kept current by {@link Interests}
     */
    Forwarder(String self, Map<String, Set<String>> interest, ClusterBus.Sender sender, Executor delivery) {
        this.self = self;
        this.interest = interest;
        this.sender = sender;
        this.lane = new DeliveryLane<>(SEND_BUFFER, delivery) {
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
                LOG.log(Level.FINE, "forwarding failed", error);
            }
        };
    }

    /** Called for every message this node's clients receive, on the thread handling their frames: only enqueues. */
    void forward(MarketMessage message) {
        Set<String> targets = interest.get(message.channel());
        if (targets == null || (targets.size() == 1 && targets.contains(self))) {
            return;
        }
        lane.offer(new Outgoing(message, targets));
    }

    private void send(Outgoing outgoing) throws Exception {
        byte[] bytes = encode(outgoing.message());
        for (String node : outgoing.targets()) {
            if (!node.equals(self) && sender.send(node, bytes)) {
                sent.increment();
            }
        }
    }

    void close() {
        lane.close();
    }

    long sentCount() {
        return sent.sum();
    }

    long droppedCount() {
        return dropped.sum();
    }

    static byte[] encode(MarketMessage m) {
        byte[] data = m.data().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + data.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
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

    static MarketMessage decode(byte[] array, int offset, int length) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(array, offset, length))) {
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
        }
    }
}
