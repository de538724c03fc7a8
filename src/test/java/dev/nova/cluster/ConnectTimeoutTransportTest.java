package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jgroups.JChannel;
import org.jgroups.stack.IpAddress;
import org.junit.jupiter.api.Test;

/**
 * A connect that gets no answer is abandoned after {@code sock_conn_timeout}, and the next message to that member
 * connects afresh (plain TCP_NIO2 keeps it pending through the kernel's SYN retries, about two minutes). The member
 * that does not answer is a loopback listener whose accept queue is full: Linux drops further SYNs to it.
 */
class ConnectTimeoutTransportTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void aPendingConnectIsAbandonedAndTheNextSendConnectsAfresh() throws Exception {
        int port = freePortPair();
        ClusterSettings settings = settings(port);
        try (JChannel channel = new JChannel(
                        new ByteArrayInputStream(JGroupsStack.xml(settings).getBytes(StandardCharsets.UTF_8)));
                ServerSocket silent = new ServerSocket(0, 1, LOOPBACK)) {
            channel.connect(settings.name());
            ConnectTimeoutTransport transport =
                    (ConnectTimeoutTransport) channel.getProtocolStack().getTransport();
            List<Socket> queued = fillAcceptQueue(silent);
            IpAddress member = new IpAddress(LOOPBACK, silent.getLocalPort());

            transport.send(member, new byte[] {1, 2, 3}, 0, 3);
            assertThat(transport.printConnections())
                    .as("the connect gets no answer")
                    .contains("connection pending");

            await().atMost(Duration.ofSeconds(5)).until(() -> transport.abandonedConnects() >= 1);
            assertThat(transport.printConnections()).doesNotContain("connection pending");

            // The member answers again: the next message opens a new connection.
            for (Socket socket : queued) {
                socket.close();
            }
            while (acceptOne(silent)) {
                // drain the accept queue
            }
            transport.send(member, new byte[] {4, 5, 6}, 0, 3);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> transport.printConnections().contains("[connected]"));
        }
    }

    /**
     * A connection to a non-member that is open but never answers (a peer cut off after the connection was made; here
     * a listener that never reads) is closed once its first unanswered message is {@code staleAfterMs} old.
     */
    @Test
    void anOpenConnectionToANonMemberThatNeverAnswersIsClosed() throws Exception {
        int port = freePortPair();
        ClusterSettings settings = settings(port);
        try (JChannel channel = new JChannel(
                        new ByteArrayInputStream(JGroupsStack.xml(settings).getBytes(StandardCharsets.UTF_8)));
                ServerSocket mute = new ServerSocket(0, 10, LOOPBACK)) {
            channel.connect(settings.name());
            ConnectTimeoutTransport transport =
                    (ConnectTimeoutTransport) channel.getProtocolStack().getTransport();
            IpAddress nonMember = new IpAddress(LOOPBACK, mute.getLocalPort());

            transport.send(nonMember, new byte[] {1, 2, 3}, 0, 3);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> transport.printConnections().contains("[connected]"));
            assertThat(transport.staleConnectionsClosed()).isZero();

            // Messages keep going to it, as discovery's would (one sent while the connect was still pending starts
            // no wait: the wait for an answer starts with a message sent on the open connection).
            await().atMost(Duration.ofMillis(transport.staleAfterMs() + 5_000))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        transport.send(nonMember, new byte[] {4, 5, 6}, 0, 3);
                        return transport.staleConnectionsClosed() >= 1;
                    });
        }
    }

    /** Connects to {@code server} until a connect times out: its accept queue is full from then on. */
    private static List<Socket> fillAcceptQueue(ServerSocket server) throws IOException {
        List<Socket> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()), 300);
                queued.add(socket);
            } catch (SocketTimeoutException full) {
                socket.close();
                return queued;
            }
        }
        throw new IllegalStateException("the accept queue never filled: cannot make a connect that gets no answer");
    }

    private static boolean acceptOne(ServerSocket server) throws IOException {
        server.setSoTimeout(200);
        try (Socket ignored = server.accept()) {
            return true;
        } catch (SocketTimeoutException empty) {
            return false;
        }
    }

    /** A port whose failure-detection port (offset 100) is free too. */
    private static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(31000, 39000);
            try (ServerSocket a = new ServerSocket(port, 1, LOOPBACK);
                    ServerSocket b = new ServerSocket(port + 100, 1, LOOPBACK)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port pair in 31000-39100");
    }

    private static ClusterSettings settings(int port) {
        String address = LOOPBACK.getHostAddress();
        return JGroupsStackTest.settings(
                "nova-unit-" + UUID.randomUUID(),
                address,
                port,
                ClusterSettings.Discovery.STATIC,
                List.of(new ClusterSettings.HostPort(address, port)));
    }
}
