package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.config.SecretSetting;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.ObjectMessage;
import org.jgroups.Receiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster's PKI in real two-member JGroups clusters on loopback, with Nova's stack over {@link TlsTransport}:
 * members with certificates of the cluster's authority form one view and carry messages; a member with a certificate
 * nobody signed is never answered and never joins, and the members say why (NOVA-1034).
 */
class ClusterTlsTest {

    private static final String CLUSTER = "nova-tls-" + UUID.randomUUID();
    private static final int PORT_A = 27_941;
    private static final int PORT_B = 27_942;

    private static TestPki pki;
    private static Path signedA;
    private static Path signedB;
    private static Path intruder;

    private OperatorLog operatorLog;
    private JChannel a;
    private JChannel b;

    @BeforeAll
    static void authority() throws Exception {
        pki = TestPki.create(Path.of("target", "test-pki"));
        signedA = pki.signed("node-a");
        signedB = pki.signed("node-b");
        intruder = pki.selfSigned("node-b");
    }

    @AfterAll
    static void noStacksLeft() {
        pki = null;
    }

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

    private static ClusterTls tls(Path keystore) {
        return new ClusterTls(
                keystore.toString(),
                new SecretSetting(pki.password()),
                "PKCS12",
                pki.truststore().toString(),
                new SecretSetting(pki.password()),
                "PKCS12");
    }

    private static JChannel member(String name, int port, Path keystore) throws Exception {
        return member(name, port, keystore, PORT_A, PORT_B);
    }

    private static JChannel member(String name, int port, Path keystore, int... known) throws Exception {
        List<ClusterSettings.HostPort> hosts = java.util.Arrays.stream(known)
                .mapToObj(p -> new ClusterSettings.HostPort("127.0.0.1", p))
                .toList();
        ClusterSettings settings = JGroupsStackTest.withTls(
                JGroupsStackTest.settings(CLUSTER, "127.0.0.1", port, ClusterSettings.Discovery.STATIC, hosts),
                tls(keystore));
        String ref = TlsTransport.hand(settings.tls().context());
        JChannel channel = new JChannel(
                new ByteArrayInputStream(JGroupsStack.xml(settings, null, ref).getBytes(StandardCharsets.UTF_8)));
        channel.setName(name);
        channel.connect(CLUSTER);
        JGroupsStack.verify(channel, settings);
        return channel;
    }

    private static void assertCarries(JChannel from, JChannel to) throws Exception {
        Queue<String> received = new ConcurrentLinkedQueue<>();
        to.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                received.add(msg.getObject());
            }
        });
        String text = "market data " + UUID.randomUUID();
        from.send(new ObjectMessage(to.getAddress(), text));
        await().atMost(Duration.ofSeconds(5)).until(() -> received.contains(text));
    }

    @Test
    void membersSignedByTheClusterAuthorityFormOneViewOverTls() throws Exception {
        a = member("a", PORT_A, signedA);
        b = member("b", PORT_B, signedB);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.getView().size() == 2 && b.getView().size() == 2);
        assertCarries(a, b);
        assertCarries(b, a);
        assertThat(a.getProtocolStack().getTransport()).isInstanceOf(TlsTransport.class);
    }

    @Test
    void aMemberWithACertificateNobodySignedNeverJoinsAndTheMembersSayWhy() throws Exception {
        // a does not know b: only b connects, and a judges the certificate b presents as a client.
        a = member("a", PORT_A, signedA, PORT_A);
        long before = ClusterTls.refusedHandshakes();
        b = member("b", PORT_B, intruder);

        await().atMost(Duration.ofSeconds(10)).until(() -> ClusterTls.refusedHandshakes() > before);
        // Several discovery rounds (MERGE3 checks every 2-5 s here) pass without a view of two.
        await().during(Duration.ofSeconds(6))
                .atMost(Duration.ofSeconds(10))
                .until(() -> a.getView().size() == 1 && b.getView().size() == 1);
        assertThat(operatorLog.messages())
                .anyMatch(m -> m.startsWith("NOVA-1034") && m.contains("CN=node-b"))
                .noneMatch(m -> m.contains(pki.password()));
    }

    @Test
    void storesThatDoNotOpenOrComeAloneAreRefusedNamingTheirKey() {
        Map<String, String> values = new HashMap<>();
        values.put("nova.cluster.tls.keystore", signedA.toString());
        ConfigReader alone = new ConfigReader(key -> java.util.Optional.ofNullable(values.get(key)));
        assertThatThrownBy(() -> ClusterTls.read(alone))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.cluster.tls.truststore");

        values.put("nova.cluster.tls.truststore", pki.truststore().toString());
        values.put("nova.cluster.tls.keystore-password", "not the password");
        assertThatThrownBy(() -> ClusterTls.read(alone))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.cluster.tls.keystore")
                .hasMessageNotContaining("not the password");

        values.put("nova.cluster.tls.keystore-password", pki.password());
        values.put("nova.cluster.tls.truststore-password", pki.password());
        assertThat(ClusterTls.read(alone).keystore()).isEqualTo(signedA.toString());
    }
}
