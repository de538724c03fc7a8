package dev.nova.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.model.ClientSpec;
import dev.nova.platform.Platform;
import dev.nova.ratelimit.OutboundGate;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session hands its frames, and the news of its end, to its frame lane in the order the transport reported them. */
class ExchangeSessionFramesTest {

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final ArrayDeque<Runnable> lane = new ArrayDeque<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private ExchangeSession session() {
        ClientSpec spec = new ClientSpec("d1", Platform.DERIBIT, "ws://127.0.0.1:1/ws/api/v2", true, null, true, null);
        ExchangeSession.Handler handler = new ExchangeSession.Handler() {
            @Override
            public void onFrame(ExchangeSession session, String text, long now) {
                events.add("frame " + text);
            }

            @Override
            public void onLost(ExchangeSession session, String reason) {
                events.add("lost: " + reason);
                session.close();
            }

            @Override
            public boolean usesPingFrames() {
                return false;
            }
        };
        return new ExchangeSession(0, spec, OutboundGate.UNLIMITED, handler, timers, lane::add);
    }

    private void runLane() {
        while (!lane.isEmpty()) {
            lane.poll().run();
        }
    }

    @Test
    void framesReadBeforeACloseAreHandledBeforeTheSessionIsLost() {
        ExchangeSession session = session();

        session.onText("error reply");
        session.onClosed(1000, "bye");
        runLane();

        assertThat(events).containsExactly("frame error reply", "lost: closed by the exchange (1000 bye)");
    }

    @Test
    void framesReadBeforeATransportErrorAreHandledFirstAndNothingAfterTheLoss() {
        ExchangeSession session = session();

        session.onText("a");
        session.onText("b");
        session.onError(new IllegalStateException("reset"));
        session.onClosed(1006, "");
        session.onText("late");
        runLane();

        assertThat(events)
                .containsExactly("frame a", "frame b", "lost: transport error: java.lang.IllegalStateException: reset");
    }
}
