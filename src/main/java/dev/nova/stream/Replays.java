package dev.nova.stream;

import dev.nova.cluster.ClusterBus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Gathers what a resuming consumer missed: from this node's {@link ReplayBuffers}, and when they do not reach back
 * far enough (the consumer was on another node, or the channel's client moved in a failover), from every other
 * member's, over the cluster bus ({@link ClusterBus.Operation#REPLAY}). A member that does not answer in time is left
 * out; what nobody kept shows as a gap.
 */
final class Replays {

    private static final Logger LOG = Logger.getLogger(Replays.class.getName());
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    private final ReplayBuffers buffers;
    private final ClusterBus bus;
    private final String self;
    private final Executor control;

    Replays(ReplayBuffers buffers, ClusterBus bus, String self, Executor control) {
        this.buffers = buffers;
        this.bus = bus;
        this.self = self;
        this.control = control;
    }

    /** Answers other members' questions with what this node kept. */
    void serve() {
        bus.handle(ClusterBus.Operation.REPLAY, arguments -> {
            long after = arguments.readLong();
            String client = arguments.readUTF();
            int count = arguments.readInt();
            List<String> channels = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                channels.add(arguments.readUTF());
            }
            return encode(buffers.after(channels, client.isEmpty() ? null : client, after));
        });
    }

    /** Gathers, then releases the stream: never blocks the caller. */
    void resume(StreamFilter filter, Resumption resumption) {
        // From the id itself on: finding it tells which channel of the stream the id belongs to.
        long after = resumption.lastId() == Long.MIN_VALUE ? Long.MIN_VALUE : resumption.lastId() - 1;
        List<MarketMessage> local = buffers.after(filter.channels(), filter.client(), after);
        if (!bus.active()
                || !buffers.enabled()
                || buffers.reachBack(filter.channels(), filter.client(), resumption.lastId())) {
            control.execute(() -> resumption.release(local));
            return;
        }
        byte[] question = question(filter, after);
        List<CompletableFuture<List<MarketMessage>>> answers = new ArrayList<>();
        for (String member : bus.members()) {
            if (!member.equals(self)) {
                answers.add(bus.call(member, ClusterBus.Operation.REPLAY, question, ASK_TIMEOUT)
                        .thenApply(Replays::decode)
                        .exceptionally(error -> {
                            LOG.log(Level.FINE, "no replay from " + member, error);
                            return List.of();
                        }));
            }
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenRunAsync(
                        () -> {
                            List<MarketMessage> missed = new ArrayList<>(local);
                            answers.forEach(answer -> missed.addAll(answer.join()));
                            resumption.release(missed);
                        },
                        control);
    }

    private static byte[] question(StreamFilter filter, long after) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(after);
            out.writeUTF(filter.client() == null ? "" : filter.client());
            out.writeInt(filter.channels().size());
            for (String channel : filter.channels()) {
                out.writeUTF(channel);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] encode(Collection<MarketMessage> messages) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(messages.size());
            for (MarketMessage message : messages) {
                byte[] one = Forwarder.encode(message);
                out.writeInt(one.length);
                out.write(one);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static List<MarketMessage> decode(byte[] answer) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(answer))) {
            int count = in.readInt();
            List<MarketMessage> messages = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] one = new byte[in.readInt()];
                in.readFully(one);
                messages.add(Forwarder.decode(one, 0, one.length));
            }
            return messages;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
