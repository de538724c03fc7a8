package dev.nova.connection;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * {@link ExchangeTransport} on the Tyrus client bundled in the WAR. One {@link ClientManager} on Tyrus' shared
 * container serves every session of the node, so many clients share a few selector and worker threads instead of
 * each bringing its own. Reconnection is not Tyrus' job here: Nova's own policy decides when to reconnect.
 */
public final class TyrusTransport implements ExchangeTransport {

    private static final Logger LOG = Logger.getLogger(TyrusTransport.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final ClientManager client;
    private final int maxMessageBytes;

    /**
     * @param handshakeTimeout bound on the opening handshake of every session
     * @param maxMessageBytes largest text frame accepted
     * @param sharedContainerIdleSeconds how long the shared container outlives its last session
     */
    public TyrusTransport(Duration handshakeTimeout, int maxMessageBytes, int sharedContainerIdleSeconds) {
        this.maxMessageBytes = maxMessageBytes;
        this.client = ClientManager.createClient();
        client.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
        client.getProperties().put(ClientProperties.SHARED_CONTAINER_IDLE_TIMEOUT, sharedContainerIdleSeconds);
        client.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, handshakeTimeout.toMillis());
        client.setDefaultMaxTextMessageBufferSize(maxMessageBytes);
    }

    /** Opens a session; the handshake is bounded by the timeout given at construction. */
    @Override
    public TransportSession open(URI uri, TransportListener listener, Duration timeout) throws IOException {
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create().build();
        try {
            Session session = client.connectToServer(new Adapter(listener, maxMessageBytes), config, uri);
            return new TyrusSession(session);
        } catch (DeploymentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Bridges JSR 356 callbacks to a {@link TransportListener}. */
    private static final class Adapter extends Endpoint {
        private final TransportListener listener;
        private final int maxMessageBytes;

        Adapter(TransportListener listener, int maxMessageBytes) {
            this.listener = listener;
            this.maxMessageBytes = maxMessageBytes;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.setMaxTextMessageBufferSize(maxMessageBytes);
            listener.onOpen(new TyrusSession(session));
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) listener::onText);
            session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> listener.onPong());
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            listener.onClosed(reason.getCloseCode().getCode(), reason.getReasonPhrase());
        }

        @Override
        public void onError(Session session, Throwable error) {
            listener.onError(error);
        }
    }

    private record TyrusSession(Session session) implements TransportSession {

        @Override
        public void sendText(String text) throws IOException {
            session.getBasicRemote().sendText(text);
        }

        @Override
        public void sendPing() throws IOException {
            session.getBasicRemote().sendPing(EMPTY.duplicate());
        }

        @Override
        public void close() {
            if (!session.isOpen()) {
                return;
            }
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "closed by Nova"));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "closing a session failed", e);
            }
        }

        @Override
        public boolean isOpen() {
            return session.isOpen();
        }
    }
}
