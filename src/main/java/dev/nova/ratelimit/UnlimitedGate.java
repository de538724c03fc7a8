package dev.nova.ratelimit;

import dev.nova.client.ClientSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Admits every request at once: the gate used until the cluster-wide rate limiter is in place. */
@ApplicationScoped
public class UnlimitedGate implements OutboundGate {

    private static final CompletableFuture<Void> NOW = CompletableFuture.completedFuture(null);

    @Override
    public CompletionStage<Void> acquire(Operation operation, ClientSpec client) {
        return NOW;
    }
}
