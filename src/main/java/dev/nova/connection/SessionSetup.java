package dev.nova.connection;

import dev.nova.NovaException;
import dev.nova.model.ClientSpec;
import dev.nova.platform.Credentials;
import dev.nova.platform.InboundFrame;
import dev.nova.platform.PlatformAdapter;
import dev.nova.platform.SecretBox;
import dev.nova.ratelimit.Operation;
import dev.nova.ratelimit.RateLimitedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The requests that set up a client's session and change its channels: heartbeats, then authentication, then the
 * shard's channels, each step waiting for its answer; later (un)subscriptions, asked again when Nova's own budget
 * held them back; and the exchange's verdict on each channel, recorded in the {@link ShardTable} on the client's lane. A refusal of credentials or heartbeats is final
 * ({@link RefusedException}); a refused channel is marked REJECTED and the session kept.
 */
final class SessionSetup {

    private static final Logger LOG = Logger.getLogger(SessionSetup.class.getName());

    /** A setup step the exchange refused for good (bad credentials, unsupported heartbeat interval). */
    static final class RefusedException extends RuntimeException {
        RefusedException(String message) {
            super(message);
        }
    }

    private final ClientSpec spec;
    private final PlatformAdapter adapter;
    private final ConnectionSettings settings;
    private final AtomicLong requestIds;
    private final ShardTable table;
    private final MessageFeed feed;
    private final ScheduledExecutorService timers;
    private final Consumer<Runnable> lane;
    private final SecretBox secrets;
    /** The credentials sessions authenticate with: the spec's, until {@link #rotate} changes them. */
    private volatile Credentials credentials;

    /** @param lane runs a task on the client's lane, where the table is changed */
    SessionSetup(
            ClientSpec spec,
            PlatformAdapter adapter,
            ConnectionSettings settings,
            AtomicLong requestIds,
            ShardTable table,
            MessageFeed feed,
            ScheduledExecutorService timers,
            Consumer<Runnable> lane,
            SecretBox secrets) {
        this.secrets = secrets;
        this.spec = spec;
        this.adapter = adapter;
        this.settings = settings;
        this.requestIds = requestIds;
        this.table = table;
        this.feed = feed;
        this.timers = timers;
        this.lane = lane;
        this.credentials = spec.credentials();
    }

    /** Heartbeats, then authentication, then {@code toSubscribe}, each step waiting for its answer. */
    CompletableFuture<Void> setUp(ExchangeSession session, List<String> toSubscribe) {
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
        Credentials current = credentials;
        if (current != null && adapter.sendsCredentials()) {
            chain = chain.thenCompose(v -> refusalIsFinal(
                            sendAuth(session, current),
                            "the exchange refused the credentials of client id " + current.clientId())
                    .thenRun(session::markAuthenticated));
        }
        if (!toSubscribe.isEmpty()) {
            chain = chain.thenCompose(v -> subscribe(session, toSubscribe));
        }
        return chain;
    }

    /**
     * Sends the exchange's authentication again on every live session, with {@code fresh} credentials (Deribit
     * {@code public/auth} on an open connection: subscriptions and the stream go on). Only when every session
     * accepts them are they used from then on, reconnects included; when one refuses, the sessions that had accepted
     * authenticate again with the credentials in use (one that cannot is closed, and reconnects with them), and the
     * stage fails with a {@link NovaException}: a conflict carrying the exchange's refusal, or unavailable when the
     * exchange did not answer or a session closed meanwhile. A client without a live session takes them at its next
     * connect.
     */
    CompletableFuture<Void> rotate(ShardTable table, Credentials fresh) {
        if (!adapter.sendsCredentials()) {
            return CompletableFuture.failedFuture(
                    NovaException.conflict(spec.platform().id() + " sessions take no credentials"));
        }
        List<ExchangeSession> sessions = table.live();
        List<CompletableFuture<ExchangeSession>> asked = sessions.stream()
                .map(session -> authenticate(session, fresh).thenApply(v -> session))
                .toList();
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).handle((v, error) -> {
            if (error == null) {
                credentials = fresh;
                LOG.info(() -> "NOVA-2016 client " + spec.name() + ": " + sessions.size()
                        + " session(s) authenticated again as client id " + fresh.clientId());
                return null;
            }
            Credentials old = credentials;
            asked.stream()
                    .filter(a -> !a.isCompletedExceptionally())
                    .map(CompletableFuture::join)
                    .forEach(accepted -> rollBack(accepted, old));
            Throwable cause = Failures.unwrap(error);
            if (cause instanceof ExchangeErrorException exchange && !exchange.rateLimit()) {
                throw NovaException.conflict("the exchange refused the credentials of client id " + fresh.clientId()
                        + ": " + exchange.getMessage() + "; the old ones are still in use");
            }
            throw NovaException.unavailable("the new credentials of client id " + fresh.clientId()
                    + " were not accepted on every session (" + Failures.describe(cause)
                    + "); the old ones are still in use");
        });
    }

    /**
     * A session that accepted credentials the others refused goes back to the ones in use; one that cannot (or a
     * client that had none) is closed, and its shard reconnects with the credentials in use.
     */
    private void rollBack(ExchangeSession session, Credentials old) {
        CompletableFuture<Void> back = old == null
                ? CompletableFuture.failedFuture(new IllegalStateException("the client had no credentials before"))
                : authenticate(session, old);
        back.whenComplete((v, error) -> {
            if (error != null) {
                LOG.warning(() -> "NOVA-2017 client " + spec.name() + ": a session could not go back to the "
                        + "credentials in use (" + Failures.describe(error) + "); it is closed and reconnects");
                session.drop("it could not go back to the credentials in use");
            }
        });
    }

    private CompletableFuture<Void> authenticate(ExchangeSession session, Credentials with) {
        return sendAuth(session, with).thenRun(session::markAuthenticated);
    }

    /**
     * The exchange's authentication with {@code with} on a session (setup and rotation alike); fails at once, with
     * a final refusal, when this node cannot open the secret.
     */
    private CompletableFuture<InboundFrame.Response> sendAuth(ExchangeSession session, Credentials with) {
        long authId = requestIds.incrementAndGet();
        var auth = secrets.open(with).flatMap(secret -> adapter.encodeAuth(authId, with.clientId(), secret));
        if (auth.isEmpty()) {
            return CompletableFuture.failedFuture(new RefusedException("the secret of client id " + with.clientId()
                    + " is sealed with a key this node does not hold (another cluster secret): give this node that"
                    + " secret as nova.cluster.previous-secret, or create the client again"));
        }
        return session.request(Operation.AUTH, authId, auth.get(), settings.requestTimeout());
    }

    /** An exchange error (other than throttling) on this step ends the client instead of retrying forever. */
    private static CompletableFuture<Void> refusalIsFinal(
            CompletableFuture<InboundFrame.Response> step, String refusal) {
        return step.handle((response, error) -> {
            if (error == null) {
                return null;
            }
            Throwable cause = Failures.unwrap(error);
            if (cause instanceof ExchangeErrorException exchange && !exchange.rateLimit()) {
                throw new RefusedException(refusal + ": " + exchange.getMessage());
            }
            throw new CompletionException(cause);
        });
    }

    /**
     * Subscribes channels on a session and records the exchange's verdict on the lane. A refusal marks the
     * channels REJECTED but keeps the session; throttling or a timeout fails the returned stage.
     */
    CompletableFuture<Void> subscribe(ExchangeSession session, List<String> list) {
        long id = requestIds.incrementAndGet();
        String request = adapter.encodeSubscribe(id, list, session.authenticated());
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        session.request(Operation.SUBSCRIBE, id, request, settings.requestTimeout())
                .whenComplete((response, error) -> lane.accept(() -> {
                    try {
                        recordVerdict(session, list, response, error);
                        outcome.complete(null);
                    } catch (RuntimeException e) {
                        outcome.completeExceptionally(e);
                    }
                }));
        return outcome;
    }

    /**
     * Subscribes channels on a live session of {@code shard}. When Nova's own budget held the request back (it was
     * never sent), the session is fine: the channels still pending are asked for again once the budget has had time
     * to refill. Any other failure means the session cannot subscribe any more, and {@code lost} is told why.
     */
    void subscribeLive(ShardTable.Shard shard, ExchangeSession session, List<String> list, Consumer<String> lost) {
        subscribe(session, list)
                .whenComplete((v, error) -> lane.accept(() -> {
                    if (error == null || shard.session != session) {
                        return;
                    }
                    if (Failures.unwrap(error) instanceof RateLimitedException limited) {
                        feed.noteError(limited.getMessage());
                        timers.schedule(
                                () -> lane.accept(() -> retry(shard, session, list, lost)),
                                limited.retryAfterMs(),
                                TimeUnit.MILLISECONDS);
                        return;
                    }
                    lost.accept("subscribe failed: " + Failures.describe(error));
                }));
    }

    private void retry(ShardTable.Shard shard, ExchangeSession session, List<String> list, Consumer<String> lost) {
        if (shard.session != session || session.isClosed()) {
            return;
        }
        List<String> still = list.stream()
                .filter(channel -> shard.channels.contains(channel) && table.status(channel) == ChannelStatus.PENDING)
                .toList();
        if (!still.isEmpty()) {
            subscribeLive(shard, session, still, lost);
        }
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
                table.mark(channel, ChannelStatus.PENDING, ok ? ChannelStatus.ACTIVE : ChannelStatus.REJECTED);
                if (!ok) {
                    refused.add(channel);
                }
            }
            if (!refused.isEmpty()) {
                feed.noteError("the exchange refused channel(s) " + refused);
            }
            return;
        }
        Throwable cause = Failures.unwrap(error);
        if (cause instanceof ExchangeErrorException exchange && !exchange.rateLimit()) {
            list.forEach(channel -> table.mark(channel, ChannelStatus.PENDING, ChannelStatus.REJECTED));
            feed.noteError("the exchange refused channel(s) " + list + ": " + exchange.getMessage());
            return;
        }
        throw new CompletionException(cause);
    }

    /** Unsubscribes channels on a live session; a failure is logged, the channels are forgotten anyway. */
    void unsubscribe(ExchangeSession session, List<String> list) {
        long id = requestIds.incrementAndGet();
        session.request(
                        Operation.UNSUBSCRIBE,
                        id,
                        adapter.encodeUnsubscribe(id, list, session.authenticated()),
                        settings.requestTimeout())
                .exceptionally(error -> {
                    LOG.warning(() -> "NOVA-2010 client " + spec.name() + ": unsubscribe of " + list + " failed: "
                            + Failures.describe(error));
                    return null;
                });
    }
}
