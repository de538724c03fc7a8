package dev.nova.ratelimit;

import dev.nova.model.ClientSpec;
import java.util.concurrent.CompletableFuture;

/**
 * The one gate every outbound request passes before it is sent: the returned stage completes when the request
 * may go, or fails when it must not (the request is then never sent). Cancelling the stage withdraws a request
 * that is still waiting.
 */
public interface OutboundGate {

    /**
     * @param connection the client's session that sends it, {@code <client>#<shard>}
     */
    CompletableFuture<Void> acquire(Operation operation, ClientSpec client, String connection);

    /** The exchange throttled this client anyway (Deribit 10028, Binance 429): back its budget off. */
    default void throttled(Operation operation, ClientSpec client, String connection) {}

    /** Admits everything at once: for tests of other parts, and exchanges that limit nothing. */
    OutboundGate UNLIMITED = (operation, client, connection) -> CompletableFuture.completedFuture(null);
}
