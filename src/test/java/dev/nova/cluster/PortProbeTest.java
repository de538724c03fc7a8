package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** What counts as proof of death: only a refused connection on loopback, never a listener that is there. */
class PortProbeTest {

    @Test
    void aPortNobodyListensOnRefuses() throws Exception {
        InetSocketAddress free;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = (InetSocketAddress) socket.getLocalSocketAddress();
        }
        assertThat(PortProbe.refuses(free, 250)).isTrue();
    }

    @Test
    void aPortWithAListenerDoesNot() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(PortProbe.refuses((InetSocketAddress) socket.getLocalSocketAddress(), 250))
                    .isFalse();
        }
    }
}
