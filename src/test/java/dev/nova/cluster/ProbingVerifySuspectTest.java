package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_SOCK2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ProbingVerifySuspect} in a real two-member JGroups cluster on loopback, with Nova's stack: when a member's
 * transport and failure detector stop (its ports refuse connections, as after kill -9), the survivor's suspicion is
 * confirmed by the refused probe, long before the verification's own timeout.
 */
class ProbingVerifySuspectTest {

    private static final String CLUSTER = "nova-verify-" + UUID.randomUUID();
    private static final int PORT_A = 27_921;
    private static final int PORT_B = 27_922;

    private JChannel a;
    private JChannel b;

    private static JChannel member(String name, int port, Duration verifyTimeout) throws Exception {
        List<ClusterSettings.HostPort> hosts = List.of(
                new ClusterSettings.HostPort("127.0.0.1", PORT_A), new ClusterSettings.HostPort("127.0.0.1", PORT_B));
        ClusterSettings settings = JGroupsStackTest.settings(
                CLUSTER, "127.0.0.1", port, ClusterSettings.Discovery.STATIC, hosts, verifyTimeout);
        JChannel channel =
                new JChannel(new ByteArrayInputStream(JGroupsStack.xml(settings).getBytes(StandardCharsets.UTF_8)));
        channel.setName(name);
        return channel;
    }

    @AfterEach
    void close() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void aMemberWhosePortRefusesLeavesTheViewWithoutWaitingForTheVerification() throws Exception {
        // A verification timeout far longer than the test waits: only the probe can confirm the suspicion in time.
        a = member("a", PORT_A, Duration.ofSeconds(20));
        b = member("b", PORT_B, Duration.ofSeconds(20));
        a.connect(CLUSTER);
        b.connect(CLUSTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.getView().size() == 2);

        // b goes as a killed process does: its transport port refuses, and its failure-detection socket closes, so
        // a's FD_SOCK2 suspects it at once.
        b.getProtocolStack().getTransport().stop();
        FD_SOCK2 detector = b.getProtocolStack().findProtocol(FD_SOCK2.class);
        detector.stop();

        await().atMost(Duration.ofSeconds(5)).until(() -> a.getView().size() == 1);
        ProbingVerifySuspect verify = a.getProtocolStack().findProtocol(ProbingVerifySuspect.class);
        assertThat(verify.confirmedByRefusal()).isEqualTo(1);
    }
}
