package dev.nova.connection;

import dev.nova.model.ClientSpec;
import dev.nova.platform.InboundFrame;
import dev.nova.ratelimit.Operation;
import dev.nova.ratelimit.OutboundGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One WebSocket session of a client, from opening to close; a reconnect makes a new one. Every outbound frame
 * goes through {@link #send}, which passes the {@link OutboundGate} first. Callbacks from a session that has been
 * closed are ignored, so a late frame or close from an old session can never disturb its successor.
 */
final class ExchangeSession implements ExchangeTransport.TransportListener {

    /**
     * Frames received and not yet handled before the reading thread waits (pushing back on the exchange's socket).
     * Enough for the lane to take whole batches; more only kept frames in the heap while the CPU was short: at full
     * ingest on fifty connections a lane of 4,096 had the node's garbage collector copying a backlog of hundreds of MB
     * (0.7-0.8 µs of CPU per message against 0.3 with 256). 64 costs one connection more hand-offs.
     */
    static final int FRAME_LANE_CAPACITY = 256;

    /** The characters those frames may hold (a larger frame still goes in alone), whatever max-message-size is. */
    static final long FRAME_LANE_MAX_CHARS = 8L * 1024 * 1024;

    /** Where the session is in its life. */
    enum Phase {
        OPENING,
        SETUP,
        LIVE,
        CLOSED
    }

    /** What the session reports to its client. */
    interface Handler {

        /**
         * A text frame arrived: called in arrival order on the session's {@link FrameLane}, beside the transport's
         * reading thread; not once the session is seen closed.
         */
        void onFrame(ExchangeSession session, String text, long now);

        /** The session ended without being asked to (any thread). */
        void onLost(ExchangeSession session, String reason);

        /** Whether this session sends WebSocket pings and so needs to hear the pongs. */
        boolean usesPingFrames();
    }

    /**
     * When each step of going live happened (epoch ms): asked to connect, admitted by the connect budget, handshake
     * done, heartbeats set up, live. Read once, for the log line that says the session went live.
     */
    static final class Setup {
        final long askedAt = System.currentTimeMillis();
        volatile long admittedAt;
        volatile long openedAt;
        volatile long heartbeatsAt;
        volatile long liveAt;

        /**
         * Where the time to go live went, e.g. {@code 41 ms (connect budget 1, handshake 12, heartbeats 9, authentication
         * and subscriptions 19)}; each step includes the hand-offs between threads that follow it.
         */
        String describe() {
            long heartbeats = heartbeatsAt == 0 ? openedAt : heartbeatsAt;
            return (liveAt - askedAt) + " ms (connect budget " + (admittedAt - askedAt) + ", handshake "
                    + (openedAt - admittedAt) + ", heartbeats " + (heartbeats - openedAt)
                    + ", authentication and subscriptions " + (liveAt - heartbeats) + ")";
        }
    }

    final Setup setup = new Setup();
    private final int shard;
    private final String connection;
    private final ClientSpec spec;
    private final OutboundGate gate;
    private final Handler handler;
    private final PendingRequests pending;
    private final FrameLane frames;
    /** Sends waiting for the gate, withdrawn when the session closes. */
    private final java.util.Set<CompletableFuture<Void>> admitting = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private volatile ExchangeTransport.TransportSession transport;
    private volatile Phase phase = Phase.OPENING;
    private volatile long lastFrameAt;
    private volatile long lastPingAt;
    private volatile long liveSince;
    private volatile boolean authenticated;

    ExchangeSession(
            int shard,
            ClientSpec spec,
            OutboundGate gate,
            Handler handler,
            ScheduledExecutorService timers,
            Executor inbound) {
        this.shard = shard;
        this.frames = new FrameLane(FRAME_LANE_CAPACITY, FRAME_LANE_MAX_CHARS, inbound, this::handleFrame);
        this.connection = connectionName(spec, shard);
        this.spec = spec;
        this.gate = gate;
        this.handler = handler;
        this.pending = new PendingRequests(timers);
    }

    /** Opens the WebSocket; blocks up to {@code timeout}. */
    void open(ExchangeTransport transportFactory, URI uri, Duration timeout) {
        setup.admittedAt = System.currentTimeMillis();
        try {
            ExchangeTransport.TransportSession opened = transportFactory.open(uri, this, timeout);
            if (transport == null) {
                transport = opened;
            }
            if (phase == Phase.CLOSED) {
                opened.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int shard() {
        return shard;
    }

    /** The name of a client's session for per-connection budgets: {@code <client>#<shard>}. */
    static String connectionName(ClientSpec spec, int shard) {
        return spec.name() + "#" + shard;
    }

    String connection() {
        return connection;
    }

    Phase phase() {
        return phase;
    }

    boolean isLive() {
        return phase == Phase.LIVE;
    }

    boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    long lastFrameAt() {
        return lastFrameAt;
    }

    long lastPingAt() {
        return lastPingAt;
    }

    long liveSince() {
        return liveSince;
    }

    boolean authenticated() {
        return authenticated;
    }

    void markAuthenticated() {
        authenticated = true;
    }

    void markSetup() {
        setup.openedAt = System.currentTimeMillis();
        if (phase == Phase.OPENING) {
            phase = Phase.SETUP;
        }
    }

    void markLive(long now) {
        setup.liveAt = now;
        if (phase != Phase.CLOSED) {
            phase = Phase.LIVE;
            liveSince = now;
            lastFrameAt = Math.max(lastFrameAt, now);
        }
    }

    PendingRequests pending() {
        return pending;
    }

    /** Sends a frame once the gate admits it; completes when the frame is written (or fails). */
    CompletableFuture<Void> send(Operation operation, String text) {
        return admit(operation).thenCompose(admitted -> write(text));
    }

    /**
     * Sends a request once the gate admits it and waits for the answer correlated by {@code id}, up to
     * {@code timeout} from the moment it is written: time spent waiting for budget does not count.
     */
    CompletableFuture<InboundFrame.Response> request(Operation operation, long id, String text, Duration timeout) {
        return admit(operation).thenCompose(admitted -> {
            CompletableFuture<InboundFrame.Response> answer = pending.register(id, timeout);
            write(text).whenComplete((sent, error) -> {
                if (error != null) {
                    pending.fail(id, error);
                }
            });
            return answer;
        });
    }

    /** Waits for the gate; a session closed meanwhile withdraws the request, which is then never sent. */
    private CompletableFuture<Void> admit(Operation operation) {
        if (phase == Phase.CLOSED) {
            return CompletableFuture.failedFuture(new IllegalStateException("session is closed"));
        }
        CompletableFuture<Void> admission = gate.acquire(operation, spec, connection);
        if (admission.isDone()) {
            return admission;
        }
        admitting.add(admission);
        admission.whenComplete((v, e) -> admitting.remove(admission));
        if (phase == Phase.CLOSED) {
            admission.cancel(false);
        }
        return admission;
    }

    private CompletableFuture<Void> write(String text) {
        ExchangeTransport.TransportSession session = transport;
        if (session == null || phase == Phase.CLOSED) {
            return CompletableFuture.failedFuture(new IllegalStateException("session is closed"));
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        // Queued in call order; the write itself happens on the transport's threads.
        synchronized (this) {
            session.sendText(text, result -> {
                if (result.isOK()) {
                    written.complete(null);
                } else {
                    written.completeExceptionally(result.getException());
                }
            });
        }
        return written;
    }

    /** Sends a WebSocket ping, for exchanges whose liveness is proven by pongs. */
    void ping(long now) {
        ExchangeTransport.TransportSession session = transport;
        if (session == null || phase == Phase.CLOSED) {
            return;
        }
        lastPingAt = now;
        admit(Operation.HEARTBEAT).thenRun(() -> {
            try {
                synchronized (this) {
                    session.sendPing();
                }
            } catch (IOException | RuntimeException e) {
                handler.onLost(this, "ping failed: " + e.getMessage());
            }
        });
    }

    /** Closes the session on purpose; idempotent. Waiting requests fail. */
    void close() {
        phase = Phase.CLOSED;
        frames.close();
        admitting.forEach(admission -> admission.cancel(false));
        pending.failAll(new IllegalStateException("session closed"));
        ExchangeTransport.TransportSession session = transport;
        if (session != null) {
            session.close();
        }
    }

    @Override
    public void onOpen(ExchangeTransport.TransportSession session) {
        if (phase == Phase.CLOSED) {
            // The handshake completed after Nova had given up on it: never keep such a session.
            session.close();
            return;
        }
        transport = session;
        lastFrameAt = System.currentTimeMillis();
    }

    /** The reading thread: notes that the exchange spoke, and hands the frame to the session's lane. */
    @Override
    public void onText(String text) {
        if (phase == Phase.CLOSED) {
            return;
        }
        long now = System.currentTimeMillis();
        lastFrameAt = now;
        frames.offer(text, now);
    }

    private void handleFrame(String text, long receivedAt) {
        if (phase != Phase.CLOSED) {
            handler.onFrame(this, text, receivedAt);
        }
    }

    @Override
    public boolean wantsPongs() {
        return handler.usesPingFrames();
    }

    @Override
    public void onPong() {
        lastFrameAt = System.currentTimeMillis();
    }

    /** After the frames read before it: what was read before the close is handled before the session is lost. */
    @Override
    public void onClosed(int code, String reason) {
        String why =
                "closed by the exchange (" + code + (reason == null || reason.isEmpty() ? ")" : " " + reason + ")");
        frames.then(() -> lost(why));
    }

    /** After the frames read before it, as {@link #onClosed}. */
    @Override
    public void onError(Throwable error) {
        String why = "transport error: " + error;
        frames.then(() -> lost(why));
    }

    /** Ends the session as if the exchange had: the client closes it and reconnects its shard. */
    void drop(String reason) {
        lost(reason);
    }

    private void lost(String reason) {
        if (phase != Phase.CLOSED) {
            handler.onLost(this, reason);
        }
    }
}
