package dev.nova.ratelimit;

import dev.nova.model.ClientSpec;
import dev.nova.platform.Credentials;
import java.time.Duration;
import java.util.Optional;

/**
 * The exchanges' cost models: which budget a request draws from and how much. The only code that knows the
 * exchanges' limits; every figure comes from {@link RateLimitSettings}, reduced by the safety margin.
 *
 * <ul>
 *   <li>Deribit: every request costs credits (500 by default, per-method overrides) from one bucket per account
 *       (the client id of the credentials; per egress IP without credentials); heartbeats may use a reserve the
 *       other requests leave. Matching-engine methods count against the account's tier instead. Opening a
 *       connection costs nothing.
 *   <li>Binance: connection attempts count per egress IP within a window; every other frame counts against the
 *       connection's messages per second.
 * </ul>
 *
 * <p>Deribit's credits are a token bucket, so the budget is one. Binance's limits are counts within a window: a
 * token bucket of capacity C refilling r per window admits at most C + r in any window, so both are half the
 * (margin-reduced) limit and no window ever sees more than the limit.
 */
public final class CostModel {

    /** Tokens per request for limits counted in whole requests, so fractional budgets stay exact. */
    static final long SCALE = 1000;

    private final RateLimitSettings settings;

    public CostModel(RateLimitSettings settings) {
        this.settings = settings;
    }

    public RateLimitSettings settings() {
        return settings;
    }

    /**
     * The budget an operation of a client draws from; empty when the exchange does not limit it.
     *
     * @param connection the client's session ({@code <client>#<shard>}), for per-connection limits
     * @param method the exchange method when the caller knows it, or null for the operation's own
     */
    public Optional<Draw> draw(Operation operation, ClientSpec client, String connection, String method) {
        return switch (client.platform()) {
            case DERIBIT -> deribit(operation, client, method);
            case BINANCE -> Optional.of(binance(operation, connection));
        };
    }

    /** The Deribit method an operation stands for, which names its cost. */
    static String deribitMethod(Operation operation) {
        return switch (operation) {
            case AUTH -> "public/auth";
            case SUBSCRIBE -> "public/subscribe";
            case UNSUBSCRIBE -> "public/unsubscribe";
            case HEARTBEAT -> "public/test";
            case CONNECT, REQUEST -> null;
        };
    }

    private Optional<Draw> deribit(Operation operation, ClientSpec client, String method) {
        if (operation == Operation.CONNECT && method == null) {
            return Optional.empty();
        }
        RateLimitSettings.Deribit deribit = settings.deribit();
        String resolved = method != null ? method : deribitMethod(operation);
        String holder = client.credentialsIfAny()
                .map(Credentials::clientId)
                .map(id -> "deribit:account:" + id)
                .orElse("deribit:ip:" + settings.egressAddress());
        if (resolved != null && deribit.matchingEngineMethods().contains(resolved)) {
            Scope scope = window(
                    holder + ":matching-engine",
                    "requests",
                    deribit.matchingEngineBurst(),
                    deribit.matchingEnginePerSecond(),
                    true);
            return Optional.of(new Draw(scope, SCALE, 0));
        }
        Scope scope = new Scope(
                holder,
                "credits",
                1,
                reduce(deribit.maxCredits()),
                reduce(deribit.refillPerSecond()),
                Duration.ofSeconds(1),
                settings.distributed());
        long cost = resolved == null ? deribit.cost() : deribit.methodCosts().getOrDefault(resolved, deribit.cost());
        long reserve = operation == Operation.HEARTBEAT ? 0 : deribit.heartbeatReserve();
        return Optional.of(new Draw(scope, cost, reserve));
    }

    private Draw binance(Operation operation, String connection) {
        RateLimitSettings.Binance binance = settings.binance();
        if (operation == Operation.CONNECT) {
            long budget = reduce(binance.connectionsPerWindow() * SCALE);
            Scope scope = new Scope(
                    "binance:ip:" + settings.egressAddress(),
                    "connections",
                    SCALE,
                    budget / 2,
                    budget - budget / 2,
                    binance.connectionWindow(),
                    settings.sharedConnections());
            return new Draw(scope, SCALE, 0);
        }
        // A connection lives on one node: its budget never needs the cluster.
        long budget = reduce(binance.messagesPerSecond() * SCALE);
        Scope scope = new Scope(
                "binance:connection:" + connection,
                "messages",
                SCALE,
                budget / 2,
                budget - budget / 2,
                Duration.ofSeconds(1),
                false);
        return new Draw(scope, SCALE, 0);
    }

    /** A token bucket for "at most {@code burst} at once and {@code perSecond} sustained". */
    private Scope window(String key, String unit, long burst, long perSecond, boolean shared) {
        return new Scope(
                key,
                unit,
                SCALE,
                reduce(burst * SCALE),
                reduce(perSecond * SCALE),
                Duration.ofSeconds(1),
                shared && settings.distributed());
    }

    /** An exchange figure less the safety margin, never below one token. */
    long reduce(long limit) {
        return Math.max(1, (long) Math.floor(limit * (1 - settings.safetyMargin())));
    }
}
