package dev.nova.connection;

import dev.nova.platform.InboundFrame;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Requests of one session waiting for their answer, correlated by id. Each wait is bounded: an unanswered request
 * fails with a {@link TimeoutException}. When the session ends, every waiting request fails at once.
 */
final class PendingRequests {

    private final ConcurrentHashMap<Long, CompletableFuture<InboundFrame.Response>> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers;

    PendingRequests(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    CompletableFuture<InboundFrame.Response> register(long id, Duration timeout) {
        CompletableFuture<InboundFrame.Response> answer = new CompletableFuture<>();
        if (waiting.putIfAbsent(id, answer) != null) {
            throw new IllegalStateException("request id " + id + " is already waiting");
        }
        ScheduledFuture<?> expiry = timers.schedule(
                () -> {
                    if (waiting.remove(id, answer)) {
                        answer.completeExceptionally(new TimeoutException(
                                "no answer to request " + id + " within " + timeout.toMillis() + " ms"));
                    }
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        answer.whenComplete((r, e) -> expiry.cancel(false));
        return answer;
    }

    /** Completes the request the response answers; false when nothing waits for that id. */
    boolean complete(InboundFrame.Response response) {
        CompletableFuture<InboundFrame.Response> answer = waiting.remove(response.id());
        return answer != null && answer.complete(response);
    }

    /** Fails the request with {@code id}; false when nothing waits for it. */
    boolean fail(long id, Throwable cause) {
        CompletableFuture<InboundFrame.Response> answer = waiting.remove(id);
        return answer != null && answer.completeExceptionally(cause);
    }

    void failAll(Throwable cause) {
        waiting.keySet().forEach(id -> fail(id, cause));
    }

    int size() {
        return waiting.size();
    }
}
