package dev.nova.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ports test nodes bind: outside the kernel's range for outgoing connections, and never handed out twice. */
class ClusterPortsTest {

    @Test
    void listeningPortsAreOutsideTheEphemeralRangeAndHandedOutOnce() {
        int[] ephemeral = ClusterPorts.ephemeralRange();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = ClusterPorts.listenPort();
            assertThat(port < ephemeral[0] || port > ephemeral[1])
                    .as("port %d against %d-%d", port, ephemeral[0], ephemeral[1])
                    .isTrue();
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }

    @Test
    void aRunOfJGroupsPortsAndItsFailureDetectionPortsStayOutsideTheEphemeralRange() {
        int[] ephemeral = ClusterPorts.ephemeralRange();
        for (int i = 0; i < 50; i++) {
            int base = ClusterPorts.allocate(3);
            for (int port :
                    new int[] {base, base + 2, base + ClusterPorts.FD_OFFSET, base + 2 + ClusterPorts.FD_OFFSET}) {
                assertThat(port < ephemeral[0] || port > ephemeral[1])
                        .as("port %d against %d-%d", port, ephemeral[0], ephemeral[1])
                        .isTrue();
            }
        }
    }
}
