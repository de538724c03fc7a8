package dev.nova.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fan-out consumer's reading of a response: it decides the fan-out figures, so it is tested like product code. */
class FanInTest {

    private static final String EVENT = "event: message\ndata: {\"nanos\":1}\n\n";

    @Test
    void readsAStreamWithoutChunksWhoseFirstEventCameWithItsHeaders() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/stream?channel=a");
            try (FanIn fanIn = new FanIn(List.of(uri));
                    Socket socket = server.accept()) {
                SseReader.readHead(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                // Headers and an event in one write: the reader finds the event in the read that ends the head.
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n" + EVENT)
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(fanIn.awaitOpen(10)).isTrue();
                out.write((EVENT + EVENT).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (fanIn.delivered(0) < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(fanIn.delivered(0)).isEqualTo(3);
                assertThat(fanIn.dropped()).isZero();
            }
        }
    }
}
