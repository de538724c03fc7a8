package dev.nova.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TyrusTransportTest {

    /**
     * The transport is not closed here: close() releases Tyrus' JVM-wide shared container, which other tests in this
     * JVM use (in Liberty each deployment has its own copy of those statics).
     */
    @Test
    void theWarmUpMakesAWholeHandshakeAgainstALoopbackListenerThatRefusesIt() {
        ExecutorService background = Executors.newCachedThreadPool();
        try {
            TyrusTransport transport = new TyrusTransport(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, 5);
            assertThat(transport.warmUp(background)).isTrue();
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void aMessageInOneFrameIsHandedOverAsItIs() {
        List<String> whole = new ArrayList<>();
        List<String> tooBig = new ArrayList<>();
        TyrusTransport.TextMessages messages = new TyrusTransport.TextMessages(10, whole::add, tooBig::add);

        String frame = "0123456789";
        messages.onMessage(frame, true);
        messages.onMessage("", true);

        assertThat(whole).containsExactly(frame, "");
        assertThat(whole.get(0)).isSameAs(frame);
        assertThat(tooBig).isEmpty();
    }

    @Test
    void aMessageInFragmentsIsPutTogetherUpToTheLimit() {
        List<String> whole = new ArrayList<>();
        List<String> tooBig = new ArrayList<>();
        TyrusTransport.TextMessages messages = new TyrusTransport.TextMessages(10, whole::add, tooBig::add);

        messages.onMessage("01234", false);
        messages.onMessage("", false);
        messages.onMessage("5678", false);
        messages.onMessage("9", true);
        messages.onMessage("next", true);

        assertThat(whole).containsExactly("0123456789", "next");
        assertThat(tooBig).isEmpty();
    }

    @Test
    void aFragmentedMessageOverTheLimitIsReportedOnceAndDroppedWithoutLosingTheNextOne() {
        List<String> whole = new ArrayList<>();
        List<String> tooBig = new ArrayList<>();
        TyrusTransport.TextMessages messages = new TyrusTransport.TextMessages(10, whole::add, tooBig::add);

        messages.onMessage("0123456", false);
        messages.onMessage("7890", false);
        messages.onMessage("more", false);
        messages.onMessage("end", true);
        messages.onMessage("012", false);
        messages.onMessage("3", true);

        assertThat(tooBig).hasSize(1);
        assertThat(tooBig.get(0)).contains("longer than 10 characters");
        assertThat(whole).containsExactly("0123");
    }

    @Test
    void aMessageTheExchangeSendsInFragmentsArrivesWholeEvenSplitInsideCharacters() throws Exception {
        try (ExchangeSimulator simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(0).fragmentTextAbove(3))) {
            Recorder recorder = new Recorder();
            TyrusTransport transport = new TyrusTransport(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, 5);
            ExchangeTransport.TransportSession session =
                    transport.open(URI.create(simulator.deribitUrl()), recorder, Duration.ofSeconds(5));
            try {
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> !simulator.sessions().isEmpty());
                // Two-, three- and four-byte characters: three-byte fragments cut most of them in two.
                String text = "{\"note\":\"prix d\u00e9j\u00e0 \u20ac 5\u00a0042 \ud83d\ude80 \u4e2d\u6587\"}";

                simulator.sendRaw("deribit", text);

                assertThat(recorder.texts.poll(5, TimeUnit.SECONDS)).isEqualTo(text);
                assertThat(recorder.errors).isEmpty();
                assertThat(session.isOpen()).isTrue();
            } finally {
                session.close();
            }
        }
    }

    @Test
    void aFragmentedMessageOverTheLimitIsAnErrorAndClosesTheSessionAsTooBig() throws Exception {
        try (ExchangeSimulator simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(0).fragmentTextAbove(16))) {
            Recorder recorder = new Recorder();
            TyrusTransport transport = new TyrusTransport(Duration.ofSeconds(5), Duration.ofSeconds(5), 64, 5);
            ExchangeTransport.TransportSession session =
                    transport.open(URI.create(simulator.deribitUrl()), recorder, Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !simulator.sessions().isEmpty());

            simulator.sendRaw("deribit", "x".repeat(40));
            simulator.sendRaw("deribit", "y".repeat(100));

            assertThat(recorder.texts.poll(5, TimeUnit.SECONDS)).isEqualTo("x".repeat(40));
            await().atMost(Duration.ofSeconds(5)).until(() -> !session.isOpen() && recorder.closeCode != 0);
            assertThat(recorder.errors).singleElement().asString().contains("longer than 64 characters");
            assertThat(recorder.closeCode).isEqualTo(1009);
            assertThat(recorder.texts).isEmpty();
        }
    }

    /** What a session told its listener. */
    private static final class Recorder implements ExchangeTransport.TransportListener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        volatile int closeCode;

        @Override
        public void onOpen(ExchangeTransport.TransportSession session) {}

        @Override
        public void onText(String text) {
            texts.add(text);
        }

        @Override
        public boolean wantsPongs() {
            return false;
        }

        @Override
        public void onPong() {}

        @Override
        public void onClosed(int code, String reason) {
            closeCode = code;
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }
    }
}
