package dev.nova.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nova.model.ClientSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The limiter (Bucket4j over an Infinispan functional map, here a local cache) and the gate's queues. The cluster
 * case is covered by RateLimitIT on three Liberty servers.
 */
class RateLimitedGateTest {

    private static final ClientSpec CLIENT = Limits.deribitClient("a", "acct");

    private DefaultCacheManager caches;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService control = Executors.newFixedThreadPool(4);
    private final List<String> backOffs = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean leaseHeld = true;

    @BeforeEach
    void start() {
        caches = new DefaultCacheManager(
                new GlobalConfigurationBuilder().nonClusteredDefault().build(), false);
        caches.defineConfiguration("shared", new ConfigurationBuilder().build());
        caches.defineConfiguration("local", new ConfigurationBuilder().build());
        caches.start();
    }

    @AfterEach
    void stop() {
        caches.stop();
        timers.shutdownNow();
        control.shutdownNow();
    }

    private RateLimiter limiter(RateLimitSettings settings) {
        return new RateLimiter(new CostModel(settings), caches.getCache("shared"), caches.getCache("local"));
    }

    private RateLimitedGate gate(RateLimiter limiter) {
        return new RateLimitedGate(
                limiter, () -> timers, () -> control, (client, scope) -> backOffs.add(scope), () -> leaseHeld);
    }

    private static Draw draw(RateLimiter limiter, Operation operation) {
        return limiter.draw(operation, CLIENT, "a#0", null).orElseThrow();
    }

    @Test
    void aNodeNoQuorumConfirmsSendsNothingNotEvenAHeartbeatAndSpendsNoBudget() {
        RateLimiter limiter = limiter(Limits.deribit(5000, 1, 500, 0, 0));
        RateLimitedGate gate = gate(limiter);
        double before = limiter.check(draw(limiter, Operation.SUBSCRIBE)).join().remaining();
        leaseHeld = false;

        for (Operation operation : List.of(Operation.HEARTBEAT, Operation.SUBSCRIBE, Operation.CONNECT)) {
            assertThat(gate.acquire(operation, CLIENT, "a#0"))
                    .as(operation.name())
                    .failsWithin(Duration.ZERO)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(LeaseLapsedException.class);
        }
        assertThat(gate.unleased()).isEqualTo(3);
        assertThat(limiter.check(draw(limiter, Operation.SUBSCRIBE)).join().remaining())
                .isEqualTo(before);

        leaseHeld = true;
        assertThat(gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0")).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void aRequestThatWaitedForItsBudgetIsNotSentIfTheLeaseRanOutMeanwhile() {
        // One subscribe's worth of budget, refilled in 2.5 s: the second waits.
        RateLimiter limiter = limiter(Limits.deribit(500, 200, 500, 0, 0));
        RateLimitedGate gate = gate(limiter);
        assertThat(gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0")).succeedsWithin(Duration.ofSeconds(5));
        CompletableFuture<Void> waiting = gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0");
        assertThat(waiting).isNotDone();

        leaseHeld = false;

        assertThat(waiting)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(LeaseLapsedException.class);
        assertThat(gate.unleased()).isEqualTo(1);
    }

    @Test
    void checkConsumesNothingAndUpdateConsumes() {
        RateLimiter limiter = limiter(Limits.deribit(5000, 1, 500, 0, 0));
        Draw subscribe = draw(limiter, Operation.SUBSCRIBE);

        Decision first = limiter.check(subscribe).join();
        Decision second = limiter.check(subscribe).join();
        Decision updated = limiter.record(subscribe).join();

        assertThat(first.allowed()).isTrue();
        assertThat(second.remaining()).isEqualTo(first.remaining());
        assertThat(updated.remaining()).isBetween(4500.0 - 1, 4500.0);
        assertThat(updated.scope()).isEqualTo("deribit:account:acct");
    }

    @Test
    void anUpdateBeyondTheBudgetIsRecordedAndDelaysEveryone() {
        RateLimiter limiter = limiter(Limits.deribit(1000, 100, 500, 0, 0));
        Draw subscribe = draw(limiter, Operation.SUBSCRIBE);

        assertThat(limiter.record(subscribe).join().allowed()).isTrue();
        assertThat(limiter.record(subscribe).join().allowed()).isTrue();
        Decision over = limiter.record(subscribe).join();
        Decision check = limiter.check(subscribe).join();

        assertThat(over.allowed()).isFalse();
        assertThat(over.remaining()).isLessThan(0);
        assertThat(over.retryAfterMs()).isGreaterThan(1000);
        assertThat(check.allowed()).isFalse();
        assertThat(check.retryAfterMs()).isGreaterThan(5000);
    }

    @Test
    void requestsLeaveTheReserveThatOnlyHeartbeatsMayUse() {
        RateLimiter limiter = limiter(Limits.deribit(2000, 1, 500, 1000, 0));

        assertThat(limiter.tryAcquire(draw(limiter, Operation.SUBSCRIBE)).join().allowed())
                .isTrue();
        assertThat(limiter.tryAcquire(draw(limiter, Operation.SUBSCRIBE)).join().allowed())
                .isTrue();
        Decision third = limiter.tryAcquire(draw(limiter, Operation.SUBSCRIBE)).join();
        assertThat(third.allowed()).isFalse();
        assertThat(third.remaining()).as("nothing taken by the refused request").isEqualTo(1000.0);
        assertThat(limiter.tryAcquire(draw(limiter, Operation.HEARTBEAT)).join().allowed())
                .isTrue();
        assertThat(limiter.tryAcquire(draw(limiter, Operation.HEARTBEAT)).join().allowed())
                .isTrue();
        assertThat(limiter.tryAcquire(draw(limiter, Operation.HEARTBEAT)).join().allowed())
                .isFalse();
    }

    @Test
    void waitingHeartbeatsGoBeforeWaitingSubscribes() {
        RateLimiter limiter = limiter(Limits.deribit(500, 1000, 500, 0, 0));
        RateLimitedGate gate = gate(limiter);
        limiter.record(draw(limiter, Operation.SUBSCRIBE)).join();
        List<String> order = Collections.synchronizedList(new ArrayList<>());

        CompletableFuture<Void> s1 =
                gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0").thenRun(() -> order.add("subscribe-1"));
        CompletableFuture<Void> s2 =
                gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0").thenRun(() -> order.add("subscribe-2"));
        CompletableFuture<Void> h =
                gate.acquire(Operation.HEARTBEAT, CLIENT, "a#0").thenRun(() -> order.add("heartbeat"));
        CompletableFuture.allOf(s1, s2, h).orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(order).containsExactly("heartbeat", "subscribe-1", "subscribe-2");
        // Counted right after each admission completes, on the gate's lane: wait for the count.
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.delayed() == 3);
    }

    /** A budget that never answers, or fails at once: a partition, a merge in progress. */
    private RateLimiter unreadable(boolean fails) {
        return new RateLimiter(
                new CostModel(Limits.deribit(2000, 1, 500, 1000, 0)),
                caches.getCache("shared"),
                caches.getCache("local")) {
            @Override
            public CompletableFuture<Decision> tryAcquire(Draw draw) {
                return fails
                        ? CompletableFuture.failedFuture(new IllegalStateException("no quorum"))
                        : new CompletableFuture<>();
            }
        };
    }

    @Test
    void aHeartbeatWhoseBudgetDoesNotAnswerGoesAfterTheGraceWhileOtherRequestsWait() throws Exception {
        RateLimitedGate gate = gate(unreadable(false));

        CompletableFuture<Void> subscribe = gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0");
        CompletableFuture<Void> heartbeat = gate.acquire(Operation.HEARTBEAT, CLIENT, "a#0");

        heartbeat.get(5, TimeUnit.SECONDS);
        Thread.sleep(RateLimitedGate.HEARTBEAT_GRACE_MS * 2);
        assertThat(subscribe).isNotDone();
        assertThat(gate.admitted()).isEqualTo(1);
    }

    @Test
    void aHeartbeatWhoseBudgetCannotBeReadGoesAnywayWhileOtherRequestsAreRejected() throws Exception {
        RateLimitedGate gate = gate(unreadable(true));

        CompletableFuture<Void> subscribe = gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0");
        assertThatThrownBy(() -> subscribe.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("no quorum");
        gate.acquire(Operation.HEARTBEAT, CLIENT, "a#0").get(5, TimeUnit.SECONDS);

        // The admission is counted right after it completes, on the gate's lane: wait for the count.
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.admitted() == 1);
        assertThat(gate.rejected()).isEqualTo(1);
    }

    @Test
    void aHeartbeatTheBudgetRefusedWaitsPastTheGrace() throws Exception {
        RateLimiter limiter = limiter(Limits.deribit(500, 1, 500, 0, 0));
        RateLimitedGate gate = gate(limiter);
        limiter.record(draw(limiter, Operation.SUBSCRIBE)).join();

        CompletableFuture<Void> heartbeat = gate.acquire(Operation.HEARTBEAT, CLIENT, "a#0");

        Thread.sleep(RateLimitedGate.HEARTBEAT_GRACE_MS * 3);
        assertThat(heartbeat).isNotDone();
        assertThat(gate.queued("deribit:account:acct")).isEqualTo(1);
    }

    @Test
    void aFullQueueRejectsAtOnceWithARetryAfter() {
        RateLimiter limiter = limiter(Limits.deribit(500, 10, 500, 0, 0, 2, Duration.ofSeconds(60)));
        RateLimitedGate gate = gate(limiter);
        limiter.record(draw(limiter, Operation.SUBSCRIBE)).join();

        gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0");
        gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0");
        CompletableFuture<Void> third = gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0");

        assertThatThrownBy(() -> third.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(RateLimitedException.class)
                .hasMessageContaining("2 requests already wait")
                .satisfies(e ->
                        assertThat(((RateLimitedException) e).retryAfterMs()).isGreaterThan(50_000));
        assertThat(gate.rejected()).isEqualTo(1);
        assertThat(gate.queued("deribit:account:acct")).isEqualTo(2);
    }

    @Test
    void aRequestThatWaitsLongerThanAllowedIsRejectedUnsent() {
        RateLimiter limiter = limiter(Limits.deribit(500, 10, 500, 0, 0, 10, Duration.ofMillis(300)));
        RateLimitedGate gate = gate(limiter);
        limiter.record(draw(limiter, Operation.SUBSCRIBE)).join();

        CompletableFuture<Void> waiting = gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0");

        assertThatThrownBy(() -> waiting.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(RateLimitedException.class)
                .hasMessageContaining("nova.ratelimit.max-wait");
    }

    @Test
    void aWithdrawnRequestTakesNoBudget() {
        RateLimiter limiter = limiter(Limits.deribit(500, 2000, 500, 0, 0));
        RateLimitedGate gate = gate(limiter);
        limiter.record(draw(limiter, Operation.SUBSCRIBE)).join();

        CompletableFuture<Void> waiting = gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0");
        waiting.cancel(false);

        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        limiter.check(draw(limiter, Operation.SUBSCRIBE)).join().remaining() >= 500);
        assertThat(gate.admitted()).isZero();
    }

    @Test
    void concurrentSendersNeverTakeMoreThanTheBudgetAdmits() throws Exception {
        RateLimiter limiter = limiter(Limits.deribit(2000, 20_000, 100, 0, 0));
        RateLimitedGate gate = gate(limiter);
        ExecutorService senders = Executors.newFixedThreadPool(8);
        List<Long> admittedAt = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                CompletableFuture<Void> sent = new CompletableFuture<>();
                all.add(sent);
                senders.execute(() -> gate.acquire(Operation.SUBSCRIBE, CLIENT, "a#0")
                        .thenRun(() -> admittedAt.add(System.nanoTime()))
                        .whenComplete((v, e) -> sent.complete(null)));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            senders.shutdownNow();
        }
        assertThat(admittedAt).hasSize(200);
        // Budget: 2000 tokens at once plus 20,000 per second: 20 requests at once, then 200 per second.
        List<Long> times = new ArrayList<>(admittedAt);
        Collections.sort(times);
        for (int i = 0; i < times.size(); i++) {
            double elapsed = (times.get(i) - start) / 1e9;
            assertThat(i + 1).as("admitted by %.3f s", elapsed).isLessThanOrEqualTo((int) (20 + 200 * elapsed) + 1);
        }
    }

    @Test
    void anExchangeThrottleEmptiesTheBudget() {
        RateLimiter limiter = limiter(Limits.deribit(5000, 1, 500, 0, 0));
        RateLimitedGate gate = gate(limiter);

        gate.throttled(Operation.REQUEST, CLIENT, "a#0");

        await().atMost(Duration.ofSeconds(5)).until(() -> !backOffs.isEmpty());
        assertThat(backOffs).containsExactly("deribit:account:acct");
        assertThat(limiter.check(draw(limiter, Operation.SUBSCRIBE)).join().allowed())
                .isFalse();
    }
}
