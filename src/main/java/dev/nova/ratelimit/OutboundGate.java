package dev.nova.ratelimit;

import dev.nova.client.ClientSpec;
import java.util.concurrent.CompletionStage;

/**
 * The one gate every outbound request passes before it is sent: the returned stage completes when the request
 * may go, or fails when it must not (the request is then never sent).
 */
public interface OutboundGate {

    CompletionStage<Void> acquire(Operation operation, ClientSpec client);
}
