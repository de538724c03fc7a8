package dev.nova.simulator;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;

/** A bare Tyrus client for testing the simulator: collects text frames, notices the close. */
final class TestClient implements AutoCloseable {

    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile int closeCode;
    private final Session session;

    TestClient(String url) throws Exception {
        ClientManager manager = ClientManager.createClient();
        session = manager.connectToServer(
                new Endpoint() {
                    @Override
                    public void onOpen(Session s, EndpointConfig config) {
                        // No idle timeout, as on Nova's sessions: otherwise every send re-arms a timer on the
                        // container's scheduler, which a fresh-clone run once found shutting down mid-test
                        // (RejectedExecutionException from TyrusSession.restartIdleTimeoutExecutor).
                        s.setMaxIdleTimeout(-1);
                        s.addMessageHandler(String.class, (MessageHandler.Whole<String>) received::add);
                    }

                    @Override
                    public void onClose(Session s, CloseReason reason) {
                        closeCode = reason.getCloseCode().getCode();
                        closed.countDown();
                    }
                },
                ClientEndpointConfig.Builder.create().build(),
                URI.create(url));
    }

    void send(String text) throws Exception {
        session.getBasicRemote().sendText(text);
    }

    /** The next frame containing {@code fragment}, skipping others. */
    String next(String fragment, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String frame = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (frame != null && frame.contains(fragment)) {
                return frame;
            }
        }
        throw new AssertionError("no frame containing " + fragment + " within " + timeout);
    }

    boolean awaitClose(Duration timeout) throws InterruptedException {
        return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        if (session.isOpen()) {
            session.close();
        }
    }
}
