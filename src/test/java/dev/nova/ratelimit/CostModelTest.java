package dev.nova.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class CostModelTest {

    private final CostModel model = new CostModel(Limits.defaults());

    @Test
    void deribitRequestsDrawCreditsFromTheirAccountLessTheMargin() {
        Draw draw = model.draw(Operation.SUBSCRIBE, Limits.deribitClient("a", "acct-1"), "a#0", null)
                .orElseThrow();

        assertThat(draw.scope().key()).isEqualTo("deribit:account:acct-1");
        assertThat(draw.scope().shared()).isTrue();
        assertThat(draw.scope().capacity()).isEqualTo(45_000);
        assertThat(draw.scope().refillUnitsPerSecond()).isEqualTo(9_000);
        assertThat(draw.cost()).isEqualTo(500);
        assertThat(draw.reserve()).isEqualTo(1000);
    }

    @Test
    void clientsOfOneAccountShareItsBudgetWhateverTheirNameOrConnection() {
        Draw a = model.draw(Operation.SUBSCRIBE, Limits.deribitClient("a", "acct-1"), "a#0", null)
                .orElseThrow();
        Draw b = model.draw(Operation.AUTH, Limits.deribitClient("b", "acct-1"), "b#3", null)
                .orElseThrow();
        Draw other = model.draw(Operation.SUBSCRIBE, Limits.deribitClient("c", "acct-2"), "c#0", null)
                .orElseThrow();

        assertThat(a.scope()).isEqualTo(b.scope());
        assertThat(other.scope().key()).isEqualTo("deribit:account:acct-2");
    }

    @Test
    void deribitWithoutCredentialsIsLimitedPerEgressAddress() {
        Draw draw = model.draw(Operation.SUBSCRIBE, Limits.deribitClient("a", null), "a#0", null)
                .orElseThrow();

        assertThat(draw.scope().key()).isEqualTo("deribit:ip:10.0.0.5");
    }

    @Test
    void heartbeatsMayUseTheReserveOtherRequestsLeave() {
        Draw heartbeat = model.draw(Operation.HEARTBEAT, Limits.deribitClient("a", "x"), "a#0", null)
                .orElseThrow();
        Draw request = model.draw(Operation.REQUEST, Limits.deribitClient("a", "x"), "a#0", null)
                .orElseThrow();

        assertThat(heartbeat.reserve()).isZero();
        assertThat(request.reserve()).isEqualTo(1000);
        assertThat(Operation.HEARTBEAT.priority()).isLessThan(Operation.SUBSCRIBE.priority());
        assertThat(Operation.SUBSCRIBE.priority()).isLessThan(Operation.REQUEST.priority());
    }

    @Test
    void methodOverridesAndMatchingEngineMethodsHaveTheirOwnCost() {
        Draw override = model.draw(Operation.REQUEST, Limits.deribitClient("a", "x"), "a#0", "public/get_instruments")
                .orElseThrow();
        Draw engine = model.draw(Operation.REQUEST, Limits.deribitClient("a", "x"), "a#0", "private/buy")
                .orElseThrow();

        assertThat(override.cost()).isEqualTo(1000);
        assertThat(engine.scope().key()).isEqualTo("deribit:account:x:matching-engine");
        assertThat(engine.scope().capacityUnits()).isEqualTo(18.0);
        assertThat(engine.scope().refillUnitsPerSecond()).isEqualTo(4.5);
        assertThat(engine.scope().units(engine.cost())).isEqualTo(1.0);
    }

    @Test
    void deribitConnectsCostNothing() {
        assertThat(model.draw(Operation.CONNECT, Limits.deribitClient("a", "x"), "a#0", null))
                .isEmpty();
    }

    @Test
    void binanceConnectsCountPerAddressAndFramesPerConnection() {
        Draw connect = model.draw(Operation.CONNECT, Limits.binanceClient("b"), "b#0", null)
                .orElseThrow();
        Draw subscribe = model.draw(Operation.SUBSCRIBE, Limits.binanceClient("b"), "b#2", null)
                .orElseThrow();
        Draw ping = model.draw(Operation.HEARTBEAT, Limits.binanceClient("b"), "b#2", null)
                .orElseThrow();

        assertThat(connect.scope().key()).isEqualTo("binance:ip:10.0.0.5");
        assertThat(connect.scope().shared()).isTrue();
        assertThat(subscribe.scope().key()).isEqualTo("binance:connection:b#2");
        assertThat(subscribe.scope().shared()).isFalse();
        assertThat(ping.scope()).isEqualTo(subscribe.scope());
    }

    private static CostModel sharing(boolean budgets, boolean connections) {
        RateLimitSettings d = Limits.defaults();
        return new CostModel(new RateLimitSettings(
                budgets,
                d.egressAddress(),
                d.safetyMargin(),
                d.queueSize(),
                d.maxWait(),
                d.timeout(),
                d.deribit(),
                d.binance(),
                connections));
    }

    /** {@code components.rate-limits=false} with {@code .reconnection=true}: only connection attempts are shared. */
    @Test
    void connectionBudgetsFollowTheReconnectionToggleAlone() {
        CostModel model = sharing(false, true);
        assertThat(model.draw(Operation.CONNECT, Limits.binanceClient("b"), "b#0", null)
                        .orElseThrow()
                        .scope()
                        .shared())
                .isTrue();
        assertThat(model.draw(Operation.SUBSCRIBE, Limits.deribitClient("a", "x"), "a#0", null)
                        .orElseThrow()
                        .scope()
                        .shared())
                .isFalse();
        assertThat(sharing(true, false)
                        .draw(Operation.CONNECT, Limits.binanceClient("b"), "b#0", null)
                        .orElseThrow()
                        .scope()
                        .shared())
                .isFalse();
    }

    @Test
    void nodeLocalModeSharesNothing() {
        CostModel local = sharing(false, false);

        assertThat(local.draw(Operation.SUBSCRIBE, Limits.deribitClient("a", "x"), "a#0", null)
                        .orElseThrow()
                        .scope()
                        .shared())
                .isFalse();
        assertThat(local.draw(Operation.CONNECT, Limits.binanceClient("b"), "b#0", null)
                        .orElseThrow()
                        .scope()
                        .shared())
                .isFalse();
    }

    /** A greedy sender against the budget never exceeds the exchange's count in any sliding window. */
    @Test
    void binanceWindowBudgetsNeverExceedTheLimitInAnyWindow() {
        assertWindowHolds(
                model.draw(Operation.CONNECT, Limits.binanceClient("b"), "b#0", null)
                        .orElseThrow(),
                300,
                Duration.ofMinutes(5));
        assertWindowHolds(
                model.draw(Operation.SUBSCRIBE, Limits.binanceClient("b"), "b#0", null)
                        .orElseThrow(),
                5,
                Duration.ofSeconds(1));
    }

    private static void assertWindowHolds(Draw draw, int limit, Duration window) {
        long[] now = {0};
        TimeMeter clock = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return now[0];
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        Bucket bucket = Bucket.builder()
                .addLimit(draw.scope().configuration().getBandwidths()[0])
                .withCustomTimePrecision(clock)
                .build();
        long step = window.toNanos() / 1000;
        Deque<Long> recent = new ArrayDeque<>();
        int most = 0;
        long total = 0;
        for (int i = 0; i < 5000; i++) {
            now[0] = i * step;
            while (bucket.tryConsume(draw.cost())) {
                recent.addLast(now[0]);
                total++;
            }
            while (!recent.isEmpty() && recent.peekFirst() <= now[0] - window.toNanos()) {
                recent.removeFirst();
            }
            most = Math.max(most, recent.size());
        }
        assertThat(most).as("most sent within one window").isLessThanOrEqualTo(limit);
        // Five windows at the margin-reduced half rate, plus the first burst: the budget is not needlessly small.
        assertThat(total).as("sent in five windows").isGreaterThanOrEqualTo((long) (limit * 0.45 * 5));
    }
}
