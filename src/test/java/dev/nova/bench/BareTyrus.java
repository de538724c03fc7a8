package dev.nova.bench;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * The reference for ingest: plain Tyrus sessions (the shared container, as Nova uses) that subscribe to Deribit
 * channels and only count the text messages they receive.
 */
final class BareTyrus implements AutoCloseable {

    private final ClientManager client;
    private final List<Session> sessions = new ArrayList<>();
    private final AtomicLong messages = new AtomicLong();

    BareTyrus() {
        client = ClientManager.createClient();
        client.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
        client.getProperties().put(ClientProperties.INCOMING_BUFFER_SIZE, 8 << 20);
    }

    /** Opens one session subscribed to {@code channel}. */
    void subscribe(String url, String channel) throws Exception {
        sessions.add(open(client, url, channel, (text, last) -> {
            if (text.startsWith("{\"jsonrpc\":\"2.0\",\"method\":\"subscription\"")) {
                messages.incrementAndGet();
            }
        }));
    }

    /**
     * Opens a session as Nova configures its own (no idle timer re-armed per message, a partial text handler: the
     * cheaper path through Tyrus; the blaster never fragments, so every call is a whole message) and subscribes it to
     * {@code channel}.
     */
    static Session open(ClientManager client, String url, String channel, MessageHandler.Partial<String> handler)
            throws Exception {
        Session session = client.connectToServer(
                new Endpoint() {
                    @Override
                    public void onOpen(Session session, EndpointConfig config) {
                        session.setMaxTextMessageBufferSize(8 << 20);
                        session.setMaxIdleTimeout(-1);
                        session.addMessageHandler(String.class, handler);
                    }
                },
                ClientEndpointConfig.Builder.create().build(),
                URI.create(url));
        session.getBasicRemote()
                .sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"public/subscribe\",\"params\":{\"channels\":[\""
                        + channel + "\"]}}");
        return session;
    }

    long messages() {
        return messages.get();
    }

    boolean awaitMessages(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (messages.get() < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    @Override
    public void close() {
        for (Session session : sessions) {
            try {
                session.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }
}
