package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nova.config.SecretSetting;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.ObjectMessage;
import org.jgroups.Receiver;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.MessageBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterCipher} in real two-member JGroups clusters on loopback, with Nova's stack: the same secret forms one
 * view and carries messages; another secret, or none, is never answered, and both sides say why (without the secret);
 * during a rotation a member that sends with the new secret and one that still sends with the old one form one view.
 */
class ClusterCipherTest {

    private static final String CLUSTER = "nova-cipher-" + UUID.randomUUID();
    private static final int PORT_A = 27_931;
    private static final int PORT_B = 27_932;
    private static final String OLD = "the old secret of this test run " + UUID.randomUUID();
    private static final String NEW = "the new secret of this test run " + UUID.randomUUID();

    private OperatorLog operatorLog;
    private JChannel a;
    private JChannel b;

    @BeforeEach
    void listen() {
        operatorLog = new OperatorLog();
    }

    @AfterEach
    void close() {
        operatorLog.close();
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static JChannel member(String name, int port, String secret, String previous) throws Exception {
        List<ClusterSettings.HostPort> hosts = List.of(
                new ClusterSettings.HostPort("127.0.0.1", PORT_A), new ClusterSettings.HostPort("127.0.0.1", PORT_B));
        ClusterSettings settings = JGroupsStackTest.withSecrets(
                JGroupsStackTest.settings(CLUSTER, "127.0.0.1", port, ClusterSettings.Discovery.STATIC, hosts),
                secret,
                previous);
        String ref = null;
        if (secret != null) {
            SecretSetting old = previous == null ? null : new SecretSetting(previous);
            ref = ClusterCipher.hand(new ClusterCipher.Keys(
                    ClusterKeys.derive(new SecretSetting(secret), CLUSTER, ClusterKeys.MESSAGES),
                    old == null ? null : ClusterKeys.derive(old, CLUSTER, ClusterKeys.MESSAGES)));
        }
        JChannel channel = new JChannel(
                new ByteArrayInputStream(JGroupsStack.xml(settings, ref, null).getBytes(StandardCharsets.UTF_8)));
        channel.setName(name);
        channel.connect(CLUSTER);
        return channel;
    }

    private static long refused(JChannel channel) {
        ClusterCipher cipher = channel.getProtocolStack().findProtocol(ClusterCipher.class);
        return cipher.refusedMessages();
    }

    /** What {@code channel} receives from now on. */
    private static Queue<String> received(JChannel channel) {
        Queue<String> received = new ConcurrentLinkedQueue<>();
        channel.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                received.add(msg.getObject());
            }
        });
        return received;
    }

    /** a and b form one view and carry messages both ways, refusing none. */
    private void assertOneViewCarryingBothWays() throws Exception {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.getView().size() == 2 && b.getView().size() == 2);
        assertCarries(a, b);
        assertCarries(b, a);
        assertThat(refused(a) + refused(b)).isZero();
    }

    private static void assertCarries(JChannel from, JChannel to) throws Exception {
        Queue<String> received = received(to);
        String text = "market data " + UUID.randomUUID();
        from.send(new ObjectMessage(to.getAddress(), text));
        await().atMost(Duration.ofSeconds(5)).until(() -> received.contains(text));
    }

    @Test
    void membersWithTheSameSecretFormOneViewAndExchangeMessages() throws Exception {
        a = member("a", PORT_A, NEW, null);
        b = member("b", PORT_B, NEW, null);

        assertOneViewCarryingBothWays();
    }

    @Test
    void aMemberWithAnotherSecretIsNeverAnsweredAndBothSidesSayWhyWithoutTheSecret() throws Exception {
        a = member("a", PORT_A, NEW, null);
        b = member("b", PORT_B, OLD, null);

        // Each keeps asking the other (discovery, merge checks every 2 to 5 s); none of it is ever read.
        await().during(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(6))
                .until(() -> a.getView().size() == 1 && b.getView().size() == 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> refused(a) > 0 && refused(b) > 0);
        assertThat(a.getView().size()).isEqualTo(1);
        assertThat(b.getView().size()).isEqualTo(1);
        assertThat(operatorLog.messages())
                .filteredOn(m -> m.startsWith("NOVA-1030"))
                .hasSizeGreaterThanOrEqualTo(2)
                .allMatch(m -> m.contains("encrypted with another secret (nova.cluster.secret differs"))
                .noneMatch(m -> m.contains(NEW) || m.contains(OLD));
    }

    @Test
    void aMemberWithoutASecretIsRefusedAsSendingInClear() throws Exception {
        a = member("a", PORT_A, NEW, null);
        b = member("b", PORT_B, null, null);

        await().during(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(6))
                .until(() -> a.getView().size() == 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> refused(a) > 0);
        assertThat(a.getView().size()).isEqualTo(1);
        assertThat(b.getView().size()).isEqualTo(1);
        assertThat(operatorLog.messages()).anyMatch(m -> m.startsWith("NOVA-1030") && m.contains("is not encrypted"));
    }

    @Test
    void midRotationAMemberSendingWithTheNewSecretAndOneSendingWithTheOldFormOneView() throws Exception {
        // Step 2 of a rotation: a already sends with the new secret, b still with the old; each accepts the other's.
        a = member("a", PORT_A, NEW, OLD);
        b = member("b", PORT_B, OLD, NEW);

        assertOneViewCarryingBothWays();
    }

    @Test
    void aMessageChangedOnTheWayFailsAuthenticationAndIsDroppedUntilItArrivesIntact() throws Exception {
        a = member("a", PORT_A, NEW, null);
        b = member("b", PORT_B, NEW, null);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.getView().size() == 2 && b.getView().size() == 2);
        // Below b's cipher: flips the last byte (the authentication tag's) of every message that reaches b.
        Tamperer tamperer = new Tamperer();
        b.getProtocolStack().insertProtocol(tamperer, ProtocolStack.Position.BELOW, ClusterCipher.class);
        Queue<String> received = received(b);
        long before = refused(b);

        tamperer.on = true;
        String text = "changed on the way " + UUID.randomUUID();
        a.send(new ObjectMessage(b.getAddress(), text));

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(received::isEmpty);
        assertThat(refused(b)).isGreaterThan(before);
        assertThat(operatorLog.messages())
                .anyMatch(m -> m.startsWith("NOVA-1030") && m.contains("failed authentication"));
        tamperer.on = false;
        // UNICAST3 sends it again; intact, it is read.
        await().atMost(Duration.ofSeconds(10)).until(() -> received.contains(text));
    }

    /** Flips the last byte of every message's payload going up, while on. */
    static final class Tamperer extends Protocol {

        volatile boolean on;

        @Override
        public Object up(Message msg) {
            if (on) {
                flip(msg);
            }
            return up_prot.up(msg);
        }

        @Override
        public void up(MessageBatch batch) {
            if (on) {
                batch.forEach(Tamperer::flip);
            }
            up_prot.up(batch);
        }

        private static void flip(Message msg) {
            if (msg.hasArray() && msg.getLength() > 0) {
                msg.getArray()[msg.getOffset() + msg.getLength() - 1] ^= 1;
            }
        }
    }
}
