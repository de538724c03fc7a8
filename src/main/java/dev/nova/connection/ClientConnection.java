package dev.nova.connection;

import dev.nova.concurrency.SerialExecutor;
import dev.nova.model.ClientSpec;
import dev.nova.model.ClientState;
import dev.nova.platform.Credentials;
import dev.nova.platform.PlatformAdapter;
import dev.nova.ratelimit.Operation;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running client on its owner node: the lifecycle of its WebSocket sessions, one per shard of channels
 * ({@link ShardTable}). Connect, set up heartbeats, authenticate, subscribe ({@link SessionSetup}); on a lost or
 * stale session, reconnect that shard after its backoff ({@link Reconnects}) and subscribe its channels again on the
 * new session only, so the exchange never holds a subscription twice. Lifecycle state is confined to the client's
 * serial lane (every callback that touches it is posted there). What the sessions receive is handled on their frame
 * lanes ({@link FrameDispatch}), and market data is sequenced, counted and handed to the sink there
 * ({@link MessageFeed}).
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
    private final StateReports reports;
    private final ShardTable table;
    private final MessageFeed feed;
    private final SessionSetup setup;
    private final FrameDispatch frames;

    // Confined to the lane.
    private boolean started;
    private boolean stopped;
    private boolean closedForGood;
    private boolean failed;
    private boolean everLive;
    private ClientState reported;

    private volatile ClientState state = ClientState.CONNECTING;

    public ClientConnection(ClientSpec spec, long epoch, PlatformAdapter adapter, ConnectionEnvironment env) {
        this.spec = spec;
        this.url = URI.create(spec.url());
        this.epoch = epoch;
        this.adapter = adapter;
        this.env = env;
        this.settings = env.settings();
        this.lane = new SerialExecutor(env.control(), "client-" + spec.name());
        this.reports = new StateReports(env, spec.name(), epoch);
        this.table = new ShardTable(adapter.maxChannelsPerSession());
        this.feed = new MessageFeed(spec.name(), table, env.sink());
        AtomicLong requestIds = new AtomicLong();
        this.setup = new SessionSetup(
                spec, adapter, settings, requestIds, table, feed, env.timers(), this::onLane, env.secrets());
        this.frames = new FrameDispatch(spec, adapter, env.gate(), requestIds, feed, new SessionEvents());
    }

    /** What the sessions report from their frame lanes, carried out on the client's lane. */
    private final class SessionEvents implements FrameDispatch.Lifecycle {

        @Override
        public void lost(ExchangeSession session, String reason) {
            onLane(() -> {
                ShardTable.Shard shard = table.byIndex(session.shard());
                if (shard != null) {
                    ClientConnection.this.lost(shard, session, reason);
                } else {
                    session.close();
                }
            });
        }

        @Override
        public void throttled(ExchangeSession session) {
            onLane(() -> {
                ShardTable.Shard shard = table.byIndex(session.shard());
                if (shard != null && shard.session == session) {
                    shard.reconnects.throttled();
                }
            });
        }
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
        return table.standing();
    }

    public ConnectionStats stats() {
        return feed.stats(table.liveSessions(), table.standingCopy());
    }

    /** Opens the first session(s) and subscribes {@code initial}; later calls do nothing. */
    public void start(Collection<String> initial) {
        onLane(() -> {
            if (started) {
                return;
            }
            started = true;
            table.newShard();
            table.assign(initial);
            LOG.info(() -> "NOVA-2001 client " + spec.name() + " connecting to " + url + " with " + initial.size()
                    + " channel(s)");
            table.shards().forEach(this::connect);
            publishState(null);
        });
    }

    /** Subscribes further channels; channels already subscribed are ignored. */
    public void subscribe(Collection<String> wanted) {
        onLane(() -> {
            Map<ShardTable.Shard, List<String>> added = table.assign(wanted);
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
            Map<ShardTable.Shard, List<String>> removed = table.remove(unwanted);
            removed.values().forEach(list -> list.forEach(feed::forget));
            removed.forEach((shard, list) -> {
                ExchangeSession session = shard.session;
                if (shard.index > 0 && shard.channels.isEmpty()) {
                    table.retire(shard);
                    table.close(shard);
                } else if (session != null && session.isLive()) {
                    setup.unsubscribe(session, list);
                }
                // A session still in setup subscribes a snapshot of its channels; it drops these when it goes live.
            });
            table.publish();
            publishState(null);
        });
    }

    /** Closes every session on purpose; the client ends {@code STOPPED} until {@link #restart()}. */
    public CompletableFuture<Void> stop() {
        return onLaneDone(() -> {
            stopped = true;
            table.shards().forEach(table::close);
            LOG.info(() -> "NOVA-2002 client " + spec.name() + " stopped");
            publishState("stopped");
        });
    }

    /**
     * Closes every session because this node lets go of the client (shutdown, or another node owns it now),
     * without reporting a state: the client's record belongs to whoever runs it next.
     */
    public CompletableFuture<Void> close() {
        reports.release();
        return onLaneDone(() -> {
            closedForGood = true;
            table.shards().forEach(table::close);
        });
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
            for (ShardTable.Shard shard : table.shards()) {
                table.close(shard);
                shard.reconnects.reset();
            }
            LOG.info(() -> "NOVA-2003 client " + spec.name() + " restarting");
            table.shards().forEach(this::connect);
            publishState("restarted");
        });
    }

    /** About once a second: a session silent for the stale timeout is replaced; pings go where the exchange needs them. */
    public void checkLiveness(long now) {
        onLane(() -> {
            long stale = settings.staleTimeout().toMillis();
            long pingEvery = settings.heartbeatIntervalSeconds() * 1000L;
            for (ShardTable.Shard shard : table.shards()) {
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

    /** Runs a task on the lane; the future completes once it has run (or failed, logged). */
    private CompletableFuture<Void> onLaneDone(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLane(task);
        onLane(() -> done.complete(null));
        return done;
    }

    /** Continues a future on the lane, with failures of the continuation logged. */
    private <T> void thenOnLane(CompletableFuture<T> future, BiConsumer<T, Throwable> next) {
        future.whenComplete((value, error) -> onLane(() -> next.accept(value, error)));
    }

    private void connect(ShardTable.Shard shard) {
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
                new ExchangeSession(shard.index, spec, env.gate(), frames, env.timers(), env.inbound());
        shard.session = session;
        CompletableFuture<Void> opening = env.gate()
                .acquire(Operation.CONNECT, spec, session.connection())
                .thenRunAsync(() -> session.open(env.transport(), url, settings.connectTimeout()), env.connector());
        thenOnLane(opening, (v, error) -> opened(shard, session, error));
    }

    /** Connects the shard later if this node still (or again) owns the client by then; its release ends this. */
    private void recheckLater(ShardTable.Shard shard) {
        env.timers().schedule(() -> onLane(() -> connect(shard)), FENCE_RECHECK_MS, TimeUnit.MILLISECONDS);
    }

    private void opened(ShardTable.Shard shard, ExchangeSession session, Throwable error) {
        if (shard.session != session || session.isClosed()) {
            session.close();
            return;
        }
        if (error != null) {
            if (Failures.unwrap(error) instanceof HandshakeRefusedException refused && refused.rateLimit()) {
                shard.reconnects.throttled();
                env.gate().throttled(Operation.CONNECT, spec, session.connection());
            }
            lost(shard, session, "connect to " + url + " failed: " + Failures.describe(error));
            return;
        }
        session.markSetup();
        List<String> toSubscribe = List.copyOf(shard.channels);
        thenOnLane(setup.setUp(session, toSubscribe), (v, setupError) -> {
            if (shard.session != session || session.isClosed()) {
                return;
            }
            if (setupError != null) {
                if (Failures.unwrap(setupError) instanceof SessionSetup.RefusedException refused) {
                    // The exchange refused credentials or heartbeats: retrying cannot help.
                    fail(refused.getMessage());
                } else {
                    lost(shard, session, "session setup failed: " + Failures.describe(setupError));
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
            goLive(shard, session, toSubscribe);
        });
    }

    /** The session is set up: catch up with the channels that came and went meanwhile, then report. */
    private void goLive(ShardTable.Shard shard, ExchangeSession session, List<String> subscribed) {
        session.markLive(System.currentTimeMillis());
        everLive = true;
        List<String> late = new ArrayList<>(shard.channels);
        late.removeAll(subscribed);
        if (!late.isEmpty()) {
            subscribeLive(shard, session, late);
        }
        List<String> dropped = new ArrayList<>(subscribed);
        dropped.removeAll(shard.channels);
        if (!dropped.isEmpty()) {
            setup.unsubscribe(session, dropped);
        }
        LOG.info(() -> "NOVA-2004 client " + spec.name() + " session " + shard.index + " live with "
                + shard.channels.size() + " channel(s) in " + session.setup.describe());
        publishState(null);
    }

    /** Subscribes channels on a live session; a session that cannot subscribe any more is replaced. */
    private void subscribeLive(ShardTable.Shard shard, ExchangeSession session, List<String> list) {
        setup.subscribeLive(shard, session, list, reason -> lost(shard, session, reason));
    }

    /** A session ended or must end: close it, and reconnect its shard after the backoff delay. */
    private void lost(ShardTable.Shard shard, ExchangeSession session, String reason) {
        if (shard.session != session) {
            session.close();
            return;
        }
        boolean wasLive = session.isLive();
        long liveFor = wasLive ? System.currentTimeMillis() - session.liveSince() : 0;
        session.close();
        shard.session = null;
        table.unconfirm(shard);
        if (stopped || failed || closedForGood || shard.retired) {
            publishState(reason);
            return;
        }
        feed.noteError(reason);
        if (wasLive) {
            feed.reconnected();
        }
        Optional<Duration> delay = shard.reconnects.afterLoss(settings, wasLive, liveFor, env.random());
        if (delay.isEmpty()) {
            fail("gave up after " + (shard.reconnects.attempt() - 1) + " reconnect attempt(s); last problem: "
                    + reason);
            return;
        }
        String what =
                wasLive ? "session " + shard.index + " lost" : "connect attempt for session " + shard.index + " failed";
        LOG.warning(() -> "NOVA-2005 client " + spec.name() + " " + what + " (" + reason + "); reconnect attempt "
                + shard.reconnects.attempt() + " in " + delay.get().toMillis() + " ms");
        shard.retry = env.timers()
                .schedule(
                        () -> onLane(() -> {
                            shard.retry = null;
                            connect(shard);
                        }),
                        delay.get().toMillis(),
                        TimeUnit.MILLISECONDS);
        publishState(reason);
    }

    private void fail(String reason) {
        failed = true;
        table.shards().forEach(table::close);
        LOG.severe(() -> "NOVA-2006 client " + spec.name() + " FAILED: " + reason + "; POST /api/clients/" + spec.name()
                + "/restart brings it back");
        feed.noteError(reason);
        publishState(reason);
    }

    private void publishState(String detail) {
        if (closedForGood) {
            return;
        }
        ClientState next = computeState();
        state = next;
        if (next != reported) {
            reported = next;
            reports.report(next, detail);
        }
    }

    /** Authenticates the live sessions again with other credentials, then uses them ({@link SessionSetup#rotate}). */
    public CompletableFuture<Void> rotateCredentials(Credentials fresh) {
        return setup.rotate(table, fresh);
    }

    /** Tells the listener the state reached again: a report it could not make yet, or a new listener. */
    public void reportAgain(String detail) {
        onLane(() -> {
            reported = null;
            publishState(detail);
        });
    }

    private ClientState computeState() {
        if (failed) {
            return ClientState.FAILED;
        }
        if (stopped) {
            return ClientState.STOPPED;
        }
        if (table.allLive()) {
            return ClientState.CONNECTED;
        }
        return everLive ? ClientState.RECONNECTING : ClientState.CONNECTING;
    }
}
