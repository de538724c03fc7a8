package dev.nova.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nova.platform.InboundFrame;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PendingRequestsTest {

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final PendingRequests pending = new PendingRequests(timers);

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void aResponseCompletesTheRequestWithTheSameId() throws Exception {
        CompletableFuture<InboundFrame.Response> first = pending.register(1, Duration.ofSeconds(5));
        CompletableFuture<InboundFrame.Response> second = pending.register(2, Duration.ofSeconds(5));

        assertThat(pending.complete(new InboundFrame.Response(2, "ok"))).isTrue();

        assertThat(second.get(1, TimeUnit.SECONDS).result()).isEqualTo("ok");
        assertThat(first).isNotDone();
        assertThat(pending.complete(new InboundFrame.Response(99, "null"))).isFalse();
    }

    @Test
    void anUnansweredRequestTimesOut() {
        CompletableFuture<InboundFrame.Response> answer = pending.register(1, Duration.ofMillis(50));

        assertThatThrownBy(() -> answer.get(2, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(pending.size()).isZero();
    }

    @Test
    void closingTheSessionFailsEveryWaitingRequest() {
        CompletableFuture<InboundFrame.Response> a = pending.register(1, Duration.ofSeconds(5));
        CompletableFuture<InboundFrame.Response> b = pending.register(2, Duration.ofSeconds(5));

        pending.failAll(new IllegalStateException("closed"));

        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompletedExceptionally();
        assertThat(pending.size()).isZero();
    }

    @Test
    void anIdCannotWaitTwice() {
        pending.register(7, Duration.ofSeconds(5));

        assertThatThrownBy(() -> pending.register(7, Duration.ofSeconds(5))).isInstanceOf(IllegalStateException.class);
    }
}
