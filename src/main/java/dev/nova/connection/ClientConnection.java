package dev.nova.connection;

import dev.nova.concurrency.SerialExecutor;
import dev.nova.model.ClientSpec;
import dev.nova.model.ClientState;
import dev.nova.platform.InboundFrame;
import dev.nova.platform.PlatformAdapter;
import dev.nova.platform.SequenceTracker;
import dev.nova.ratelimit.Operation;
import dev.nova.ratelimit.RateLimitedException;
import dev.nova.stream.MarketMessage;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running client on its owner node: its WebSocket sessions (one per shard of channels), their lifecycle and
 * its market data. Connect, set up heartbeats, authenticate, subscribe; on a lost or stale session, reconnect
 * that shard with backoff and jitter and subscribe its channels again on the new session only, so the exchange
 * never holds a subscription twice. Lifecycle state is confined to the client's serial lane (every callback that
 * touches it is posted there); market data is decoded, checked for gaps and handed to the sink on the reading
 * thread.
 */
public final class ClientConnection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());
    /** How often a connection that the registry does not give this node asks again before connecting. */
    private static final long FENCE_RECHECK_MS = 1000;

    private final ClientSpec spec;
    private final URI url;
    private final long epoch;
    private final PlatformAdapter adapter;
    private final ConnectionEnvironment env;
    private final ConnectionSettings settings;
    private final SerialExecutor lane;
    private final ExchangeSession.Handler handler = new SessionHandler();
    private final SequenceTracker sequences = new SequenceTracker();
    private final AtomicLong requestIds = new AtomicLong();

    /** Subscribed channels and their standing; written on the lane only, read anywhere. */
    private final ConcurrentHashMap<String, ChannelStatus> channels = new ConcurrentHashMap<>();

    // Confined to the lane.
    private final List<Shard> shards = new ArrayList<>();
    private final Map<String, Shard> shardOf = new HashMap<>();
    private int nextShard;
    private boolean started;
    private boolean stopped;
    private boolean closedForGood;
    private boolean failed;
    private boolean everLive;
    private ClientState reported;

    /** Shards as last published by the lane, for readers on other threads. */
    private volatile List<Shard> shardsSnapshot = List.of();

    private volatile ClientState state = ClientState.CONNECTING;
    private final LongAdder messages = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final AtomicLong reconnects = new AtomicLong();
    private volatile long lastMessageAt;
    private volatile String lastError;

    /** A slot of channels carried by one session at a time. */
    private static final class Shard {
        final int index;
        final Set<String> channels = new LinkedHashSet<>();
        volatile ExchangeSession session;
        ScheduledFuture<?> retry;
        int failures;
        boolean retired;
        boolean throttled;

        Shard(int index) {
            this.index = index;
        }
    }

    public ClientConnection(ClientSpec spec, long epoch, PlatformAdapter adapter, ConnectionEnvironment env) {
        this.spec = spec;
        this.url = URI.create(spec.url());
        this.epoch = epoch;
        this.adapter = adapter;
        this.env = env;
        this.settings = env.settings();
        this.lane = new SerialExecutor(env.control(), "client-" + spec.name());
    }

    public ClientSpec spec() {
        return spec;
    }

    public long epoch() {
        return epoch;
    }

    public ClientState state() {
        return state;
    }

    /** The channels subscribed (or being subscribed) at the exchange, with their standing. */
    public Map<String, ChannelStatus> channels() {
        return Map.copyOf(channels);
    }

    public ConnectionStats stats() {
        int live = 0;
        for (Shard shard : shardsSnapshot) {
            ExchangeSession session = shard.session;
            if (session != null && session.isLive()) {
                live++;
            }
        }
        return new ConnectionStats(
                messages.sum(),
                lastMessageAt,
                gaps.sum(),
                duplicates.sum(),
                malformed.sum(),
                reconnects.get(),
                lastError,
                live,
                new LinkedHashMap<>(channels));
    }

    /** Opens the first session(s) and subscribes {@code initial}; later calls do nothing. */
    public void start(Collection<String> initial) {
        onLane(() -> {
            if (started) {
                return;
            }
            started = true;
            newShard();
            assign(initial);
            LOG.info(() -> "NOVA-2001 client " + spec.name() + " connecting to " + url + " with " + initial.size()
                    + " channel(s)");
            for (Shard shard : List.copyOf(shards)) {
                connect(shard);
            }
            publishState(null);
        });
    }

    /** Subscribes further channels; channels already subscribed are ignored. */
    public void subscribe(Collection<String> wanted) {
        onLane(() -> {
            Map<Shard, List<String>> added = assign(wanted);
            if (stopped || failed || closedForGood) {
                return;
            }
            added.forEach((shard, list) -> {
                ExchangeSession session = shard.session;
                if (session != null && session.isLive()) {
                    subscribeLive(shard, session, list);
                } else if (session == null && shard.retry == null) {
                    connect(shard);
                }
            });
        });
    }

    /** Unsubscribes channels at the exchange and forgets them. */
    public void unsubscribe(Collection<String> unwanted) {
        onLane(() -> {
            Map<Shard, List<String>> removed = new LinkedHashMap<>();
            for (String channel : unwanted) {
                if (channels.remove(channel) == null) {
                    continue;
                }
                Shard shard = shardOf.remove(channel);
                shard.channels.remove(channel);
                sequences.forget(channel);
                removed.computeIfAbsent(shard, s -> new ArrayList<>()).add(channel);
            }
            removed.forEach((shard, list) -> {
                ExchangeSession session = shard.session;
                if (shard.index > 0 && shard.channels.isEmpty()) {
                    retire(shard);
                } else if (session != null && session.isLive()) {
                    unsubscribeAtExchange(session, list);
                }
                // A session still in setup subscribes a snapshot of its channels; it drops these when it goes live.
            });
            publishShards();
            publishState(null);
        });
    }

    /** Closes every session on purpose; the client ends {@code STOPPED} until {@link #restart()}. */
    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLane(() -> {
            try {
                stopped = true;
                shards.forEach(this::closeShard);
                LOG.info(() -> "NOVA-2002 client " + spec.name() + " stopped");
                publishState("stopped");
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    /**
     * Closes every session because this node lets go of the client (shutdown, or another node owns it now),
     * without reporting a state: the client's record belongs to whoever runs it next.
     */
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLane(() -> {
            try {
                closedForGood = true;
                shards.forEach(this::closeShard);
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    /** Brings a {@code FAILED} or {@code STOPPED} client back: reconnects every shard from the first step. */
    public void restart() {
        onLane(() -> {
            if (closedForGood) {
                return;
            }
            stopped = false;
            failed = false;
            everLive = false;
            for (Shard shard : shards) {
                closeShard(shard);
                shard.failures = 0;
            }
            LOG.info(() -> "NOVA-2003 client " + spec.name() + " restarting");
            for (Shard shard : shards) {
                connect(shard);
            }
            publishState("restarted");
        });
    }

    /**
     * Called about once a second: a live session that received nothing for the stale timeout is reconnected;
     * on exchanges that prove liveness with pings, a ping is sent every heartbeat interval.
     */
    public void checkLiveness(long now) {
        onLane(() -> {
            long stale = settings.staleTimeout().toMillis();
            long pingEvery = settings.heartbeatIntervalSeconds() * 1000L;
            for (Shard shard : List.copyOf(shards)) {
                ExchangeSession session = shard.session;
                if (session == null || !session.isLive()) {
                    continue;
                }
                long silent = now - session.lastFrameAt();
                if (silent > stale) {
                    lost(shard, session, "stale feed: nothing received for " + silent + " ms");
                } else if (adapter.usesPingFrames() && now - session.lastPingAt() >= pingEvery) {
                    session.ping(now);
                }
            }
        });
    }

    // ---- lane-confined lifecycle ----

    /** Runs a task on the lane; a failure is logged, never swallowed. */
    private void onLane(Runnable task) {
        lane.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "NOVA-2012 client " + spec.name() + ": lifecycle step failed", e);
            }
        });
    }

    /** Continues a future on the lane, with failures of the continuation logged. */
    private <T> void thenOnLane(CompletableFuture<T> future, BiConsumer<T, Throwable> next) {
        future.whenComplete((value, error) -> onLane(() -> next.accept(value, error)));
    }

    private Shard newShard() {
        Shard shard = new Shard(nextShard++);
        shards.add(shard);
        publishShards();
        return shard;
    }

    private void publishShards() {
        shardsSnapshot = List.copyOf(shards);
    }

    /** Records new channels as PENDING and places each on a shard with room; returns them by shard. */
    private Map<Shard, List<String>> assign(Collection<String> wanted) {
        Map<Shard, List<String>> added = new LinkedHashMap<>();
        for (String channel : wanted) {
            if (channels.putIfAbsent(channel, ChannelStatus.PENDING) != null) {
                continue;
            }
            Shard shard = shardWithRoom();
            shard.channels.add(channel);
            shardOf.put(channel, shard);
            added.computeIfAbsent(shard, s -> new ArrayList<>()).add(channel);
        }
        return added;
    }

    private Shard shardWithRoom() {
        for (Shard shard : shards) {
            if (!shard.retired && shard.channels.size() < adapter.maxChannelsPerSession()) {
                return shard;
            }
        }
        return newShard();
    }

    private void connect(Shard shard) {
        if (stopped || failed || closedForGood || shard.retired || shard.session != null) {
            return;
        }
        if (!env.listener().mayConnect(spec.name(), epoch)) {
            LOG.info(() -> "NOVA-2014 client " + spec.name() + ": not connecting session " + shard.index
                    + ", the registry does not give this node the client at epoch " + epoch + "; asking again in "
                    + FENCE_RECHECK_MS + " ms");
            recheckLater(shard);
            return;
        }
        ExchangeSession session =
                new ExchangeSession(shard.index, spec, env.gate(), handler, env.timers(), env.inbound());
        shard.session = session;
        CompletableFuture<Void> opening = env.gate()
                .acquire(Operation.CONNECT, spec, session.connection())
                .thenRunAsync(() -> session.open(env.transport(), url, settings.connectTimeout()), env.connector());
        thenOnLane(opening, (v, error) -> opened(shard, session, error));
    }

    /** Connects the shard later if this node still (or again) owns the client by then; its release ends this. */
    private void recheckLater(Shard shard) {
        env.timers().schedule(() -> onLane(() -> connect(shard)), FENCE_RECHECK_MS, TimeUnit.MILLISECONDS);
    }

    private void opened(Shard shard, ExchangeSession session, Throwable error) {
        if (shard.session != session || session.isClosed()) {
            session.close();
            return;
        }
        if (error != null) {
            if (unwrap(error) instanceof HandshakeRefusedException refused && refused.rateLimit()) {
                shard.throttled = true;
                env.gate().throttled(Operation.CONNECT, spec, session.connection());
            }
            lost(shard, session, "connect to " + url + " failed: " + describe(error));
            return;
        }
        session.markSetup();
        List<String> toSubscribe = List.copyOf(shard.channels);
        thenOnLane(setUp(session, toSubscribe), (v, setupError) -> {
            if (shard.session != session || session.isClosed()) {
                return;
            }
            if (setupError != null) {
                Throwable cause = unwrap(setupError);
                if (cause instanceof SetupRefusedException refused) {
                    // The exchange refused credentials or heartbeats: retrying cannot help.
                    fail(refused.getMessage());
                } else {
                    lost(shard, session, "session setup failed: " + describe(setupError));
                }
                return;
            }
            if (!env.listener().mayConnect(spec.name(), epoch)) {
                LOG.info(() -> "NOVA-2014 client " + spec.name() + ": session " + shard.index
                        + " closed before going live, the registry does not give this node the client at epoch "
                        + epoch);
                session.close();
                shard.session = null;
                recheckLater(shard);
                return;
            }
            session.markLive(System.currentTimeMillis());
            everLive = true;
            List<String> late = new ArrayList<>(shard.channels);
            late.removeAll(toSubscribe);
            if (!late.isEmpty()) {
                subscribeLive(shard, session, late);
            }
            List<String> dropped = new ArrayList<>(toSubscribe);
            dropped.removeAll(shard.channels);
            if (!dropped.isEmpty()) {
                unsubscribeAtExchange(session, dropped);
            }
            LOG.info(() -> "NOVA-2004 client " + spec.name() + " session " + shard.index + " live with "
                    + shard.channels.size() + " channel(s) in " + session.setup.describe());
            publishState(null);
        });
    }

    /** Heartbeats, then authentication, then the shard's channels, each step waiting for its answer. */
    private CompletableFuture<Void> setUp(ExchangeSession session, List<String> toSubscribe) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        long heartbeatId = requestIds.incrementAndGet();
        var heartbeat = adapter.encodeHeartbeatSetup(heartbeatId, settings.heartbeatIntervalSeconds());
        if (heartbeat.isPresent()) {
            chain = chain.thenCompose(v -> refusalIsFinal(
                            session.request(
                                    Operation.HEARTBEAT, heartbeatId, heartbeat.get(), settings.requestTimeout()),
                            "the exchange refused heartbeats every " + settings.heartbeatIntervalSeconds()
                                    + " s (nova.connection.heartbeat-interval)")
                    .thenRun(() -> session.setup.heartbeatsAt = System.currentTimeMillis()));
        }
        if (spec.credentials() != null) {
            long authId = requestIds.incrementAndGet();
            var auth = adapter.encodeAuth(authId, spec.credentials());
            if (auth.isPresent()) {
                chain = chain.thenCompose(v -> refusalIsFinal(
                                session.request(Operation.AUTH, authId, auth.get(), settings.requestTimeout()),
                                "the exchange refused the credentials of client id "
                                        + spec.credentials().clientId())
                        .thenRun(session::markAuthenticated));
            }
        }
        if (!toSubscribe.isEmpty()) {
            chain = chain.thenCompose(v -> subscribeAtExchange(session, toSubscribe));
        }
        return chain;
    }

    /** An exchange error (other than throttling) on this step ends the client instead of retrying forever. */
    private static CompletableFuture<Void> refusalIsFinal(
            CompletableFuture<InboundFrame.Response> step, String refusal) {
        return step.handle((response, error) -> {
            if (error == null) {
                return null;
            }
            Throwable cause = unwrap(error);
            if (cause instanceof ExchangeErrorException exchange && !exchange.rateLimit()) {
                throw new SetupRefusedException(refusal + ": " + exchange.getMessage());
            }
            throw new CompletionException(cause);
        });
    }

    /** Subscribes channels on a live session; a session that cannot subscribe any more is replaced. */
    private void subscribeLive(Shard shard, ExchangeSession session, List<String> list) {
        thenOnLane(subscribeAtExchange(session, list), (v, error) -> {
            if (error == null || shard.session != session) {
                return;
            }
            if (unwrap(error) instanceof RateLimitedException limited) {
                // Nova's own budget held the request back and it was never sent: the session is fine, so keep it
                // and ask again once the budget has had time to refill.
                noteError(limited.getMessage());
                env.timers()
                        .schedule(
                                () -> onLane(() -> retrySubscribe(shard, session, list)),
                                limited.retryAfterMs(),
                                TimeUnit.MILLISECONDS);
                return;
            }
            lost(shard, session, "subscribe failed: " + describe(error));
        });
    }

    private void retrySubscribe(Shard shard, ExchangeSession session, List<String> list) {
        if (shard.session != session || session.isClosed()) {
            return;
        }
        List<String> still = list.stream()
                .filter(channel -> shard.channels.contains(channel) && channels.get(channel) == ChannelStatus.PENDING)
                .toList();
        if (!still.isEmpty()) {
            subscribeLive(shard, session, still);
        }
    }

    /**
     * Subscribes channels on a session and records the exchange's verdict on the lane. A refusal marks the
     * channels REJECTED but keeps the session; throttling or a timeout fails the returned stage.
     */
    private CompletableFuture<Void> subscribeAtExchange(ExchangeSession session, List<String> list) {
        long id = requestIds.incrementAndGet();
        String request = adapter.encodeSubscribe(id, list, session.authenticated());
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        session.request(Operation.SUBSCRIBE, id, request, settings.requestTimeout())
                .whenComplete((response, error) -> onLane(() -> {
                    try {
                        recordVerdict(session, list, response, error);
                        outcome.complete(null);
                    } catch (RuntimeException e) {
                        outcome.completeExceptionally(e);
                    }
                }));
        return outcome;
    }

    private void recordVerdict(
            ExchangeSession session, List<String> list, InboundFrame.Response response, Throwable error) {
        if (session.isClosed()) {
            return;
        }
        if (error == null) {
            Set<String> accepted = adapter.acceptedChannels(list, response);
            List<String> refused = new ArrayList<>();
            for (String channel : list) {
                boolean ok = accepted.contains(channel);
                channels.replace(channel, ChannelStatus.PENDING, ok ? ChannelStatus.ACTIVE : ChannelStatus.REJECTED);
                if (!ok) {
                    refused.add(channel);
                }
            }
            if (!refused.isEmpty()) {
                noteError("the exchange refused channel(s) " + refused);
            }
            return;
        }
        Throwable cause = unwrap(error);
        if (cause instanceof ExchangeErrorException exchange && !exchange.rateLimit()) {
            list.forEach(channel -> channels.replace(channel, ChannelStatus.PENDING, ChannelStatus.REJECTED));
            noteError("the exchange refused channel(s) " + list + ": " + exchange.getMessage());
            return;
        }
        throw new CompletionException(cause);
    }

    private void unsubscribeAtExchange(ExchangeSession session, List<String> list) {
        long id = requestIds.incrementAndGet();
        session.request(
                        Operation.UNSUBSCRIBE,
                        id,
                        adapter.encodeUnsubscribe(id, list, session.authenticated()),
                        settings.requestTimeout())
                .exceptionally(error -> {
                    LOG.warning(() -> "NOVA-2010 client " + spec.name() + ": unsubscribe of " + list + " failed: "
                            + describe(error));
                    return null;
                });
    }

    /** A session ended or must end: close it, and reconnect its shard after the backoff delay. */
    private void lost(Shard shard, ExchangeSession session, String reason) {
        if (shard.session != session) {
            session.close();
            return;
        }
        boolean wasLive = session.isLive();
        long liveFor = wasLive ? System.currentTimeMillis() - session.liveSince() : 0;
        session.close();
        shard.session = null;
        shard.channels.forEach(channel -> channels.replace(channel, ChannelStatus.ACTIVE, ChannelStatus.PENDING));
        if (stopped || failed || closedForGood || shard.retired) {
            publishState(reason);
            return;
        }
        noteError(reason);
        if (wasLive) {
            reconnects.incrementAndGet();
            if (liveFor >= settings.backoffResetAfter().toMillis()) {
                shard.failures = 0;
            }
        }
        shard.failures++;
        if (shard.throttled) {
            // The exchange throttled this session: start further up the backoff curve.
            shard.throttled = false;
            shard.failures = Math.max(shard.failures, 3);
        }
        if (!settings.backoff().allows(shard.failures)) {
            fail("gave up after " + (shard.failures - 1) + " reconnect attempt(s); last problem: " + reason);
            return;
        }
        Duration delay = settings.backoff().delay(shard.failures, env.random());
        String what =
                wasLive ? "session " + shard.index + " lost" : "connect attempt for session " + shard.index + " failed";
        LOG.warning(() -> "NOVA-2005 client " + spec.name() + " " + what + " (" + reason + "); reconnect attempt "
                + shard.failures + " in " + delay.toMillis() + " ms");
        shard.retry = env.timers()
                .schedule(
                        () -> onLane(() -> {
                            shard.retry = null;
                            connect(shard);
                        }),
                        delay.toMillis(),
                        TimeUnit.MILLISECONDS);
        publishState(reason);
    }

    private void fail(String reason) {
        failed = true;
        shards.forEach(this::closeShard);
        LOG.severe(() -> "NOVA-2006 client " + spec.name() + " FAILED: " + reason + "; POST /api/clients/" + spec.name()
                + "/restart brings it back");
        noteError(reason);
        publishState(reason);
    }

    private void retire(Shard shard) {
        shard.retired = true;
        closeShard(shard);
        shards.remove(shard);
        publishShards();
    }

    private void closeShard(Shard shard) {
        if (shard.retry != null) {
            shard.retry.cancel(false);
            shard.retry = null;
        }
        ExchangeSession session = shard.session;
        shard.session = null;
        if (session != null) {
            session.close();
        }
        shard.channels.forEach(channel -> channels.replace(channel, ChannelStatus.ACTIVE, ChannelStatus.PENDING));
    }

    private void publishState(String detail) {
        if (closedForGood) {
            return;
        }
        ClientState next = computeState();
        state = next;
        if (next != reported) {
            env.listener().stateChanged(spec.name(), next, detail);
            reported = next;
        }
    }

    private ClientState computeState() {
        if (failed) {
            return ClientState.FAILED;
        }
        if (stopped) {
            return ClientState.STOPPED;
        }
        boolean allLive = !shards.isEmpty();
        for (Shard shard : shards) {
            if (shard.session == null || !shard.session.isLive()) {
                allLive = false;
                break;
            }
        }
        if (allLive) {
            return ClientState.CONNECTED;
        }
        return everLive ? ClientState.RECONNECTING : ClientState.CONNECTING;
    }

    private void noteError(String error) {
        lastError = error;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException
                        || cause instanceof ExecutionException
                        || cause instanceof UncheckedIOException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof ExchangeErrorException exchange && exchange.rateLimit()) {
            return "rate limit: " + cause.getMessage();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    /** A setup step the exchange refused for good (bad credentials, unsupported heartbeat interval). */
    private static final class SetupRefusedException extends RuntimeException {
        SetupRefusedException(String message) {
            super(message);
        }
    }

    // ---- the sessions' frame lanes (FrameLane) ----

    private final class SessionHandler implements ExchangeSession.Handler {

        @Override
        public boolean usesPingFrames() {
            return adapter.usesPingFrames();
        }

        @Override
        public void onFrame(ExchangeSession session, String text, long now) {
            try {
                InboundFrame frame = adapter.decode(text);
                if (frame instanceof InboundFrame.Notification notification) {
                    deliver(notification, now);
                } else if (frame instanceof InboundFrame.Response response) {
                    session.pending().complete(response);
                } else if (frame instanceof InboundFrame.ErrorReply error) {
                    onError(session, error);
                } else if (frame instanceof InboundFrame.Heartbeat heartbeat) {
                    if (heartbeat.testRequest()) {
                        long id = requestIds.incrementAndGet();
                        session.send(Operation.HEARTBEAT, adapter.encodeHeartbeatReply(id))
                                .exceptionally(e -> {
                                    onLost(session, "heartbeat reply failed: " + describe(e));
                                    return null;
                                });
                    }
                } else if (frame instanceof InboundFrame.Unrecognized unrecognized) {
                    malformed.increment();
                    LOG.fine(() -> "client " + spec.name() + " ignored a frame: " + unrecognized.reason());
                }
            } catch (RuntimeException e) {
                // A consumer-side failure must never cost the exchange session.
                malformed.increment();
                LOG.log(Level.WARNING, "NOVA-2013 client " + spec.name() + ": handling a frame failed", e);
            }
        }

        private void onError(ExchangeSession session, InboundFrame.ErrorReply error) {
            boolean rateLimit = adapter.isRateLimitError(error.code());
            ExchangeErrorException failure = new ExchangeErrorException(error.code(), error.message(), rateLimit);
            if (rateLimit) {
                env.gate().throttled(Operation.REQUEST, spec, session.connection());
                onLane(() -> {
                    Shard shard = shardByIndex(session.shard());
                    if (shard != null && shard.session == session) {
                        shard.throttled = true;
                    }
                });
                LOG.warning(() -> "NOVA-2007 client " + spec.name() + " was throttled by the exchange ("
                        + failure.getMessage() + "); the exchange may close the session, Nova reconnects with "
                        + "backoff");
            }
            noteError(failure.getMessage());
            if (!error.correlated() || !session.pending().fail(error.id(), failure)) {
                LOG.warning(() -> "NOVA-2008 client " + spec.name() + ": " + failure.getMessage());
            }
        }

        @Override
        public void onLost(ExchangeSession session, String reason) {
            onLane(() -> {
                Shard shard = shardByIndex(session.shard());
                if (shard != null) {
                    lost(shard, session, reason);
                } else {
                    session.close();
                }
            });
        }
    }

    private Shard shardByIndex(int index) {
        for (Shard shard : shards) {
            if (shard.index == index) {
                return shard;
            }
        }
        return null;
    }

    private void deliver(InboundFrame.Notification notification, long now) {
        String channel = notification.channel();
        if (!channels.containsKey(channel)) {
            return;
        }
        SequenceTracker.Continuity continuity =
                sequences.track(channel, notification.previous(), notification.sequence(), notification.snapshot());
        if (continuity == SequenceTracker.Continuity.DUPLICATE) {
            duplicates.increment();
            return;
        }
        boolean gap = continuity == SequenceTracker.Continuity.GAP;
        if (gap) {
            gaps.increment();
            LOG.log(Level.FINE, "client {0} channel {1}: gap before sequence {2}", new Object[] {
                spec.name(), channel, notification.sequence()
            });
        }
        messages.increment();
        lastMessageAt = now;
        long sequence = notification.sequenced() ? notification.sequence() : MarketMessage.NO_SEQUENCE;
        long previous = notification.snapshot() ? MarketMessage.NO_SEQUENCE : notification.previous();
        env.sink().publish(new MarketMessage(spec.name(), channel, sequence, previous, now, gap, notification.data()));
    }
}
