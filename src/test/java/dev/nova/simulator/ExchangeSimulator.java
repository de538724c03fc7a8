package dev.nova.simulator;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated exchange: Deribit at {@code ws://host:port/ws/api/v2}, Binance combined streams at
 * {@code ws://host:port/stream} (Binance's raw {@code /ws} endpoint is not simulated: Nova does not use it).
 * Tests drive it directly (disconnects, malformed frames, frozen feeds) and read its counters as the oracle of
 * what Nova really did at the exchange.
 */
public final class ExchangeSimulator implements AutoCloseable {

    /** What a test may ask about a live session. */
    public record SessionInfo(int id, String platform, String account, Set<String> channels, String remoteAddress) {}

    private final SimulatorOptions options;
    private final WsServer server;
    private TlsFront tls;
    private final ScheduledExecutorService timers;
    private final ConcurrentHashMap<Integer, SimSession> sessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Long> receivedByClosed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Feed> feeds = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> subscribeRequests = new ConcurrentHashMap<>();
    private final Map<String, Deque<Long>> handshakesByAddress = new HashMap<>();
    private final CreditBuckets credits;
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong handshakesRefused = new AtomicLong();
    private final ConcurrentHashMap<String, AtomicLong> charged = new ConcurrentHashMap<>();
    private final AtomicLong heartbeatCloses = new AtomicLong();
    private final AtomicLong messageLimitCloses = new AtomicLong();
    private volatile ScheduledFuture<?> ticker;

    private ExchangeSimulator(SimulatorOptions options) throws IOException {
        this.options = options;
        this.credits = new CreditBuckets(options.deribitMaxCredits, options.deribitRefillPerSecond);
        this.timers = Executors.newScheduledThreadPool(2, r -> {
            Thread thread = new Thread(r, "simulator-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.server =
                new WsServer(options.host, options.port, new Acceptor(), options.outboxFrames, options.fragmentBytes);
        rate(options.messagesPerSecond);
    }

    public static ExchangeSimulator start(SimulatorOptions options) throws IOException {
        return new ExchangeSimulator(options);
    }

    public int port() {
        return server.port();
    }

    public String deribitUrl() {
        return "ws://" + options.host + ":" + port() + "/ws/api/v2";
    }

    /**
     * The Deribit address over TLS ({@code wss://127.0.0.1:<port>/ws/api/v2}); the TLS listener starts on first use,
     * and {@link #tls()} has the truststore that trusts it.
     */
    public String deribitWssUrl() throws IOException, InterruptedException {
        return "wss://127.0.0.1:" + tls().port() + "/ws/api/v2";
    }

    /** The simulator's TLS listener, started on first use. */
    public synchronized TlsFront tls() throws IOException, InterruptedException {
        if (tls == null) {
            tls = TlsFront.start(port());
        }
        return tls;
    }

    public String binanceUrl() {
        return "ws://" + options.host + ":" + port() + "/stream";
    }

    SimulatorOptions options() {
        return options;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    /** Messages per second on every channel; 0 stops automatic publishing. */
    public synchronized void rate(int messagesPerSecond) {
        every(messagesPerSecond > 0 ? Duration.ofNanos(1_000_000_000L / messagesPerSecond) : Duration.ZERO);
    }

    /** One message on every channel each {@code period} (slower than one a second too); zero stops publishing. */
    public synchronized void every(Duration period) {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        long periodMicros = period.toNanos() / 1000;
        if (periodMicros > 0) {
            ticker = timers.scheduleAtFixedRate(this::tickAll, periodMicros, periodMicros, TimeUnit.MICROSECONDS);
        }
    }

    private void tickAll() {
        long now = System.currentTimeMillis();
        for (Feed feed : feeds.values()) {
            feed.tick(now);
        }
    }

    /** Publishes {@code count} messages on a channel now, one frame each. */
    public void publish(String channel, int count) {
        Feed feed = existingFeed(channel);
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            feed.tick(now);
        }
    }

    /** Publishes {@code count} messages pre-encoded into one buffer: the fastest the simulator can send. */
    public void blast(String channel, int count) {
        existingFeed(channel).blast(count, System.currentTimeMillis());
    }

    /**
     * Encodes {@code count} messages for each channel first, then hands all of them to the sessions: the sending
     * starts when this returns, so a reader can time the sending alone.
     */
    public void blast(List<String> channels, int count) {
        prepareBlast(channels, count).run();
    }

    /**
     * Encodes {@code count} messages for each channel now and returns what hands them to the sessions, so that a
     * reader can also settle its own memory (the encoded frames are large) before the sending starts.
     */
    public Runnable prepareBlast(List<String> channels, int count) {
        long now = System.currentTimeMillis();
        List<Feed> feeds = channels.stream().map(this::existingFeed).toList();
        List<byte[]> encoded = feeds.stream().map(f -> f.encode(count, now)).toList();
        return () -> {
            for (int i = 0; i < feeds.size(); i++) {
                feeds.get(i).send(encoded.get(i));
            }
        };
    }

    private Feed existingFeed(String channel) {
        Feed feed = feeds.get(channel);
        if (feed == null) {
            throw new IllegalArgumentException("nobody ever subscribed " + channel);
        }
        return feed;
    }

    Feed feed(String channel, boolean deribit) {
        return feeds.computeIfAbsent(channel, c -> new Feed(c, deribit, options.stampNanos, options.fragmentBytes));
    }

    /** Drops every connection at once, without a close frame (a network failure). */
    public void dropAll() {
        sessions.values().forEach(s -> s.connection.abort());
    }

    /** Drops the connections of one platform ({@code deribit} or {@code binance}). */
    public void dropAll(String platform) {
        sessions.values().stream().filter(s -> s.platform().equals(platform)).forEach(s -> s.connection.abort());
    }

    /** Closes every connection with a close frame, as an exchange does at its 24 h limit or on shutdown. */
    public void closeAll(int code, String reason) {
        sessions.values().forEach(s -> s.connection.close(code, reason));
    }

    /** Freezes (or thaws) every connection: nothing is sent or read, the TCP connection stays open. */
    public void freezeAll(boolean frozen) {
        sessions.values().forEach(s -> s.connection.freeze(frozen));
    }

    /** Sends a raw text frame, e.g. malformed JSON, to every session of a platform. */
    public void sendRaw(String platform, String text) {
        sessions.values().stream().filter(s -> s.platform().equals(platform)).forEach(s -> s.sendText(text));
    }

    public List<SessionInfo> sessions() {
        List<SessionInfo> list = new ArrayList<>();
        for (SimSession s : sessions.values()) {
            if (s.connection.isOpen()) {
                list.add(new SessionInfo(
                        s.id, s.platform(), s.account(), Set.copyOf(s.channels), s.connection.remoteAddress()));
            }
        }
        return list;
    }

    /** Open sessions of a platform. */
    public int sessionCount(String platform) {
        return (int)
                sessions().stream().filter(s -> s.platform().equals(platform)).count();
    }

    /** Open sessions subscribed to a channel. */
    public int subscribers(String channel) {
        return (int)
                sessions().stream().filter(s -> s.channels().contains(channel)).count();
    }

    /** Subscribe requests naming the channel since the start. */
    public long subscribeRequests(String channel) {
        AtomicLong count = subscribeRequests.get(channel);
        return count == null ? 0 : count.get();
    }

    /** The channel's current sequence number. */
    public long sequence(String channel) {
        return existingFeed(channel).sequence();
    }

    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Binance handshakes refused with HTTP 429 for going over the connection limit of their source address. */
    public long handshakesRefused() {
        return handshakesRefused.get();
    }

    /** Requests answered with Deribit 10028 too_many_requests. */
    public long rateLimited() {
        return rateLimited.get();
    }

    /** Connections closed because a heartbeat (test_request, ping) went unanswered. */
    public long heartbeatCloses() {
        return heartbeatCloses.get();
    }

    /** Binance connections closed for sending more than the allowed messages per second. */
    public long messageLimitCloses() {
        return messageLimitCloses.get();
    }

    /** Deribit requests that took credits from an account's bucket (what a budget floor is computed from). */
    public long chargedRequests(String account) {
        AtomicLong count = charged.get("account:" + account);
        return count == null ? 0 : count.get();
    }

    boolean takeCredits(String bucket) {
        boolean taken = credits.take(bucket, options.deribitCost);
        if (taken) {
            charged.computeIfAbsent(bucket, b -> new AtomicLong()).incrementAndGet();
        }
        return taken;
    }

    void countSubscribe(String channel) {
        subscribeRequests.computeIfAbsent(channel, c -> new AtomicLong()).incrementAndGet();
    }

    void countRateLimited() {
        rateLimited.incrementAndGet();
    }

    void countHeartbeatClose() {
        heartbeatCloses.incrementAndGet();
    }

    void countMessageLimitClose() {
        messageLimitCloses.incrementAndGet();
    }

    void sessionClosed(SimSession session) {
        receivedByClosed.put(session.id, session.connection.received());
        sessions.remove(session.id);
    }

    /**
     * The frames a session's client sent (messages and pings; not pongs, not the close handshake), open or closed:
     * how a test proves that a client sent nothing in a given moment.
     */
    public long framesReceived(int session) {
        SimSession open = sessions.get(session);
        return open != null ? open.connection.received() : receivedByClosed.getOrDefault(session, -1L);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (tls != null) {
                tls.close();
            }
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        dropAll();
        timers.shutdownNow();
    }

    private final class Acceptor implements WsServer.Acceptor {

        @Override
        public int admit(String path, String remoteAddress) {
            if (!path.equals("/ws/api/v2") && !path.equals("/stream")) {
                return 404;
            }
            if (!path.equals("/stream")) {
                return 101; // Deribit publishes no handshake limit; Binance's is per IP
            }
            long now = System.currentTimeMillis();
            synchronized (handshakesByAddress) {
                Deque<Long> recent = handshakesByAddress.computeIfAbsent(remoteAddress, a -> new ArrayDeque<>());
                while (!recent.isEmpty() && recent.peekFirst() <= now - options.connectionWindow.toMillis()) {
                    recent.removeFirst();
                }
                if (recent.size() >= options.maxConnectionsPerWindow) {
                    handshakesRefused.incrementAndGet();
                    return 429;
                }
                recent.addLast(now);
            }
            return 101;
        }

        @Override
        public void accepted(WsConnection connection) {
            int id = server.nextConnectionId();
            connectionsAccepted.incrementAndGet();
            if (connection.path().equals("/ws/api/v2")) {
                DeribitSession session = new DeribitSession(id, connection, ExchangeSimulator.this);
                sessions.put(id, session);
                connection.start(session, "deribit-" + id);
            } else {
                BinanceSession session = new BinanceSession(id, connection, ExchangeSimulator.this);
                sessions.put(id, session);
                connection.start(session, "binance-" + id);
                session.start();
            }
        }
    }
}
