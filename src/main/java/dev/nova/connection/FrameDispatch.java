package dev.nova.connection;

import dev.nova.model.ClientSpec;
import dev.nova.platform.InboundFrame;
import dev.nova.platform.PlatformAdapter;
import dev.nova.ratelimit.Operation;
import dev.nova.ratelimit.OutboundGate;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Handles what a client's sessions receive, on each session's frame lane beside the transport's reading thread:
 * decodes the frame and sends it where it belongs. Market data goes to the {@link MessageFeed}, answers complete
 * their requests, heartbeat requests are answered, errors fail their request (or are logged) and throttling backs off
 * the budget the request drew from. A failure to handle one frame is counted and logged, and never costs the session.
 */
final class FrameDispatch implements ExchangeSession.Handler {

    private static final Logger LOG = Logger.getLogger(FrameDispatch.class.getName());

    /** What the client's lifecycle hears from its sessions; both may be called on any thread. */
    interface Lifecycle {
        /** The session ended without being asked to, or must end. */
        void lost(ExchangeSession session, String reason);

        /** The exchange throttled the session: its shard reconnects further up the backoff curve. */
        void throttled(ExchangeSession session);
    }

    private final ClientSpec spec;
    private final PlatformAdapter adapter;
    private final OutboundGate gate;
    private final AtomicLong requestIds;
    private final MessageFeed feed;
    private final Lifecycle lifecycle;

    FrameDispatch(
            ClientSpec spec,
            PlatformAdapter adapter,
            OutboundGate gate,
            AtomicLong requestIds,
            MessageFeed feed,
            Lifecycle lifecycle) {
        this.spec = spec;
        this.adapter = adapter;
        this.gate = gate;
        this.requestIds = requestIds;
        this.feed = feed;
        this.lifecycle = lifecycle;
    }

    @Override
    public boolean usesPingFrames() {
        return adapter.usesPingFrames();
    }

    @Override
    public void onFrame(ExchangeSession session, String text, long now) {
        try {
            InboundFrame frame = adapter.decode(text);
            if (frame instanceof InboundFrame.Notification notification) {
                feed.deliver(notification, now);
            } else if (frame instanceof InboundFrame.Response response) {
                session.pending().complete(response);
            } else if (frame instanceof InboundFrame.ErrorReply error) {
                onError(session, error);
            } else if (frame instanceof InboundFrame.Heartbeat heartbeat) {
                if (heartbeat.testRequest()) {
                    long id = requestIds.incrementAndGet();
                    session.send(Operation.HEARTBEAT, adapter.encodeHeartbeatReply(id))
                            .exceptionally(e -> {
                                lifecycle.lost(session, "heartbeat reply failed: " + Failures.describe(e));
                                return null;
                            });
                }
            } else if (frame instanceof InboundFrame.Unrecognized unrecognized) {
                feed.malformed();
                LOG.fine(() -> "client " + spec.name() + " ignored a frame: " + unrecognized.reason());
            }
        } catch (RuntimeException e) {
            // A consumer-side failure must never cost the exchange session.
            feed.malformed();
            LOG.log(Level.WARNING, "NOVA-2013 client " + spec.name() + ": handling a frame failed", e);
        }
    }

    private void onError(ExchangeSession session, InboundFrame.ErrorReply error) {
        boolean rateLimit = adapter.isRateLimitError(error.code());
        ExchangeErrorException failure = new ExchangeErrorException(error.code(), error.message(), rateLimit);
        if (rateLimit) {
            gate.throttled(Operation.REQUEST, spec, session.connection());
            lifecycle.throttled(session);
            LOG.warning(() -> "NOVA-2007 client " + spec.name() + " was throttled by the exchange ("
                    + failure.getMessage() + "); the exchange may close the session, Nova reconnects with backoff");
        }
        feed.noteError(failure.getMessage());
        if (!error.correlated() || !session.pending().fail(error.id(), failure)) {
            LOG.warning(() -> "NOVA-2008 client " + spec.name() + ": " + failure.getMessage());
        }
    }

    @Override
    public void onLost(ExchangeSession session, String reason) {
        lifecycle.lost(session, reason);
    }
}
