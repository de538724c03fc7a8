package dev.nova.ratelimit;

import dev.nova.model.ClientSpec;
import dev.nova.platform.Credentials;
import dev.nova.platform.Platform;
import dev.nova.platform.Secret;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Rate-limit settings and clients for the unit tests. */
final class Limits {

    private Limits() {}

    static RateLimitSettings defaults() {
        return deribit(50_000, 10_000, 500, 1000, 0.1);
    }

    static RateLimitSettings deribit(long max, long refill, long cost, long reserve, double margin) {
        return deribit(max, refill, cost, reserve, margin, 256, Duration.ofSeconds(60));
    }

    static RateLimitSettings deribit(
            long max, long refill, long cost, long reserve, double margin, int queueSize, Duration maxWait) {
        return new RateLimitSettings(
                true,
                "10.0.0.5",
                margin,
                queueSize,
                maxWait,
                Duration.ofSeconds(5),
                new RateLimitSettings.Deribit(
                        max,
                        refill,
                        cost,
                        Map.of("public/get_instruments", 1000L),
                        reserve,
                        20,
                        5,
                        Set.of("private/buy")),
                new RateLimitSettings.Binance(5, 300, Duration.ofMinutes(5)),
                true);
    }

    static ClientSpec deribitClient(String name, String account) {
        return new ClientSpec(
                name,
                Platform.DERIBIT,
                "ws://127.0.0.1:1/ws/api/v2",
                true,
                null,
                true,
                account == null ? null : new Credentials(account, new Secret("s")));
    }

    static ClientSpec binanceClient(String name) {
        return new ClientSpec(name, Platform.BINANCE, "ws://127.0.0.1:1/stream", true, null, true, null);
    }
}
