package dev.nova.connection;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.SslContextConfigurator;
import org.glassfish.tyrus.client.SslEngineConfigurator;
import org.glassfish.tyrus.client.exception.DeploymentHandshakeException;

/**
 * {@link ExchangeTransport} on the Tyrus client bundled in the WAR. One {@link ClientManager} on Tyrus' shared
 * container serves every session of the node, so many clients share a few selector and worker threads instead of
 * each bringing its own. Reconnection is not Tyrus' job here: Nova's own policy decides when to reconnect.
 *
 * <p>The shared container keeps static state (a transport and an idle-timeout timer) in classes loaded from the
 * WAR; {@link #close()} releases it so an undeployed application leaves no thread behind holding its class loader.
 */
public final class TyrusTransport implements ExchangeTransport, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TyrusTransport.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final ClientManager client;
    /** The manager of wss:// sessions: {@link #client} unless a truststore of its own is configured. */
    private final ClientManager secureClient;

    private final int maxMessageBytes;
    private final Duration sendTimeout;
    /** Orders {@link #warmUp} and {@link #close}: a warm-up never starts the container after it was released. */
    private final Object lifecycle = new Object();

    private boolean closed;

    /**
     * @param handshakeTimeout bound on the opening handshake of every session
     * @param sendTimeout bound on writing one frame to a session
     * @param maxMessageBytes largest text frame accepted
     * @param sharedContainerIdleSeconds how long the shared container outlives its last session
     */
    public TyrusTransport(
            Duration handshakeTimeout, Duration sendTimeout, int maxMessageBytes, int sharedContainerIdleSeconds) {
        this(handshakeTimeout, sendTimeout, maxMessageBytes, sharedContainerIdleSeconds, ExchangeTls.defaults());
    }

    /**
     * The same, with {@code wss://} sessions that trust the certificates of {@code tls}'s truststore when it names
     * one (the JDK's authorities otherwise), host names verified either way.
     */
    public TyrusTransport(
            Duration handshakeTimeout,
            Duration sendTimeout,
            int maxMessageBytes,
            int sharedContainerIdleSeconds,
            ExchangeTls tls) {
        this.maxMessageBytes = maxMessageBytes;
        this.sendTimeout = sendTimeout;
        this.client = manager(handshakeTimeout, maxMessageBytes, sharedContainerIdleSeconds);
        if (tls.truststore() == null) {
            this.secureClient = client;
        } else {
            // A manager of its own: with the SSL engine configurator on the one manager, plain ws:// sessions of the
            // same node timed out (SecurityIT), so only wss:// sessions go through this one.
            this.secureClient = manager(handshakeTimeout, maxMessageBytes, sharedContainerIdleSeconds);
            SslContextConfigurator context = new SslContextConfigurator();
            context.setTrustStoreFile(tls.truststore());
            context.setTrustStoreType(tls.truststoreType());
            if (tls.truststorePassword() != null) {
                context.setTrustStorePassword(tls.truststorePassword().reveal());
            }
            // Client mode, no client certificate; Tyrus verifies the exchange's host name against its certificate.
            secureClient
                    .getProperties()
                    .put(
                            ClientProperties.SSL_ENGINE_CONFIGURATOR,
                            new SslEngineConfigurator(context, true, false, false));
        }
    }

    private static ClientManager manager(
            Duration handshakeTimeout, int maxMessageBytes, int sharedContainerIdleSeconds) {
        ClientManager manager = ClientManager.createClient();
        manager.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
        manager.getProperties().put(ClientProperties.SHARED_CONTAINER_IDLE_TIMEOUT, sharedContainerIdleSeconds);
        // Tyrus only honours an Integer here.
        manager.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, (int) handshakeTimeout.toMillis());
        manager.getProperties().put(ClientProperties.INCOMING_BUFFER_SIZE, maxMessageBytes + 64 * 1024);
        manager.setDefaultMaxTextMessageBufferSize(maxMessageBytes);
        return manager;
    }

    /** Opens a session; the handshake is bounded by the timeout given at construction. */
    @Override
    public TransportSession open(URI uri, TransportListener listener, Duration timeout) throws IOException {
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create().build();
        try {
            ClientManager manager = "wss".equalsIgnoreCase(uri.getScheme()) ? secureClient : client;
            Session session = manager.connectToServer(new Adapter(listener, maxMessageBytes, sendTimeout), config, uri);
            return new TyrusSession(session, sendTimeout);
        } catch (DeploymentHandshakeException e) {
            throw new HandshakeRefusedException(e.getHttpStatusCode(), e.getMessage(), e);
        } catch (DeploymentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Makes one handshake against a throwaway listener on the loopback interface, which refuses it (503), so that
     * the shared container is running and the client's classes are loaded before the first real session needs them.
     * Measured: a node's first session spent 110–320 ms in its handshake against ~5 ms later on, which a node taking
     * over clients after a failover paid in full. Blocks; run it in the background. Failures are only logged.
     *
     * @return whether the handshake went the whole way (sent, answered, refused)
     */
    public boolean warmUp(Executor background) {
        long started = System.nanoTime();
        boolean refusedAsExpected = false;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket refuser = new ServerSocket(0, 1, loopback)) {
            refuser.setSoTimeout(10_000);
            CompletableFuture<Void> refused = CompletableFuture.runAsync(() -> refuseOne(refuser), background);
            // This constructor brackets an IPv6 literal (::1 when the JVM prefers IPv6).
            URI uri =
                    new URI("ws", null, loopback.getHostAddress(), refuser.getLocalPort(), "/nova-warm-up", null, null);
            synchronized (lifecycle) {
                if (closed) {
                    // The application stopped first: starting the container now would leave it running.
                    return false;
                }
                try {
                    client.connectToServer(
                                    new Endpoint() {
                                        @Override
                                        public void onOpen(Session session, EndpointConfig config) {
                                            // never opens: the listener refuses the handshake
                                        }
                                    },
                                    ClientEndpointConfig.Builder.create().build(),
                                    uri)
                            .close();
                } catch (DeploymentHandshakeException expected) {
                    refusedAsExpected = expected.getHttpStatusCode() == 503;
                } catch (DeploymentException | IOException e) {
                    LOG.log(Level.FINE, "the warm-up handshake failed before its answer", e);
                }
            }
            if (refusedAsExpected) {
                // The listener has answered; closing its socket below ends it otherwise.
                refused.get(5, TimeUnit.SECONDS);
            }
            LOG.fine(() -> "Tyrus warmed up in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        } catch (Exception | LinkageError e) {
            LOG.log(Level.FINE, "warming Tyrus up failed; the first session will start it", e);
        }
        return refusedAsExpected;
    }

    /** Accepts one connection, reads its request (bounded in size and time) and answers 503. */
    private static void refuseOne(ServerSocket refuser) {
        try (Socket socket = refuser.accept()) {
            socket.setSoTimeout(5_000);
            InputStream in = socket.getInputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            for (int read = 0; matched < end.length; read++) {
                int b = in.read();
                if (b < 0 || read > 64 * 1024) {
                    return;
                }
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            socket.getOutputStream()
                    .write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Releases the shared container's static transport and timer; call once every session is closed. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            // After a warm-up under way, never during it.
            closed = true;
        }
        try {
            Class<?> socket = Class.forName("org.glassfish.tyrus.container.grizzly.client.GrizzlyClientSocket");
            Method closeShared = socket.getDeclaredMethod("closeSharedTransport");
            closeShared.setAccessible(true);
            closeShared.invoke(null);
            Class<?> filter =
                    Class.forName("org.glassfish.tyrus.container.grizzly.client.GrizzlyTransportTimeoutFilter");
            Field timer = filter.getDeclaredField("executorService");
            timer.setAccessible(true);
            ((ExecutorService) timer.get(null)).shutdownNow();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "NOVA-2011 could not release Tyrus' shared container; a redeploy may leak it", e);
        }
    }

    /**
     * Text messages handed over as they arrive: a message in one frame (all of an exchange's, in practice) goes to
     * {@code whole} as Tyrus decoded it, one sent in fragments is put together first. A partial handler rather than a
     * whole-message one because Tyrus then skips, for every message, looking for decoders and ordering the session's
     * whole-message handlers: measured, a tenth of the reading thread at full ingest. Tyrus only bounds what it puts
     * together itself, so this bounds a fragmented message at {@code maxChars} and reports a longer one to {@code
     * tooBig}, once, dropping the rest of it. One per session, called by one reading thread at a time.
     */
    static final class TextMessages implements MessageHandler.Partial<String> {
        private final int maxChars;
        private final Consumer<String> whole;
        private final Consumer<String> tooBig;
        private StringBuilder pending;
        private boolean discarding;

        TextMessages(int maxChars, Consumer<String> whole, Consumer<String> tooBig) {
            this.maxChars = maxChars;
            this.whole = whole;
            this.tooBig = tooBig;
        }

        @Override
        public void onMessage(String part, boolean last) {
            if (pending == null && !discarding && last) {
                whole.accept(part);
                return;
            }
            if (!discarding) {
                if (pending == null) {
                    pending = new StringBuilder(part.length() * 2);
                }
                if (pending.length() + part.length() > maxChars) {
                    pending = null;
                    discarding = true;
                    tooBig.accept("a fragmented text message longer than " + maxChars + " characters");
                } else {
                    pending.append(part);
                }
            }
            if (last) {
                if (!discarding) {
                    String text = pending.toString();
                    pending = null;
                    whole.accept(text);
                }
                discarding = false;
            }
        }
    }

    /** Bridges JSR 356 callbacks to a {@link TransportListener}. */
    private static final class Adapter extends Endpoint {
        private final TransportListener listener;
        private final int maxMessageBytes;
        private final Duration sendTimeout;

        Adapter(TransportListener listener, int maxMessageBytes, Duration sendTimeout) {
            this.listener = listener;
            this.maxMessageBytes = maxMessageBytes;
            this.sendTimeout = sendTimeout;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.setMaxTextMessageBufferSize(maxMessageBytes);
            // Nova watches for silence itself (stale-timeout). With an idle timeout of 0 Tyrus still re-arms a timer
            // on every message, which inside Liberty is a managed scheduled task capturing the thread's context:
            // measured as the ingest bottleneck. A negative timeout means none, and no timer at all.
            session.setMaxIdleTimeout(-1);
            listener.onOpen(new TyrusSession(session, sendTimeout));
            session.addMessageHandler(String.class, new TextMessages(maxMessageBytes, listener::onText, tooBig -> {
                listener.onError(new IOException(tooBig));
                try {
                    session.close(new CloseReason(CloseReason.CloseCodes.TOO_BIG, "message too big"));
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.FINE, "closing a session after a message too big failed", e);
                }
            }));
            if (listener.wantsPongs()) {
                // Tyrus offers every text frame to each whole-message handler in turn: only register what is used.
                session.addMessageHandler(
                        PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> listener.onPong());
            }
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

    /** Sends are asynchronous (they never block a caller on a full socket) and bounded by the send timeout. */
    private record TyrusSession(Session session, Duration sendTimeout) implements TransportSession {

        TyrusSession {
            session.getAsyncRemote().setSendTimeout(sendTimeout.toMillis());
        }

        @Override
        public void sendText(String text, SendHandler done) {
            session.getAsyncRemote().sendText(text, done);
        }

        @Override
        public void sendPing() throws IOException {
            session.getAsyncRemote().sendPing(EMPTY.duplicate());
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
