package dev.nova.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.nova.cluster.ClusterBus;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.model.NodeIdentity;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.BeanManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/** Fan-out to SSE consumers with mocked sinks: slow consumers are dropped, the publisher never waits. */
class StreamHubTest {

    private static final String CHANNEL = "trades.BTC-PERPETUAL.raw";

    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
    private final ExecutorService delivery = Executors.newFixedThreadPool(4);
    private final ClusterBus bus = mock(ClusterBus.class);
    private final Interests interests = mock(Interests.class);
    private final ClusterBus.Sender sender = mock(ClusterBus.Sender.class);
    private StreamHub hub;

    @BeforeEach
    void start() {
        when(interests.update(any(), any())).thenReturn(CompletableFuture.completedFuture(null));
        hub = hub(Duration.ofMillis(300));
    }

    private StreamHub hub(Duration sendTimeout) {
        NovaExecutors executors = mock(NovaExecutors.class);
        when(executors.timers()).thenReturn(timers);
        when(executors.delivery()).thenReturn(delivery);
        when(executors.control()).thenReturn(delivery);
        return hub(executors, new StreamSettings(64, Duration.ofSeconds(30), sendTimeout));
    }

    private StreamHub hub(NovaExecutors executors, Duration sendTimeout) {
        return hub(executors, new StreamSettings(64, Duration.ofSeconds(30), sendTimeout));
    }

    private StreamHub hub(NovaExecutors executors, StreamSettings settings) {
        BeanManager beans = mock(BeanManager.class);
        when(beans.resolveObserverMethods(any())).thenReturn(Set.of());
        @SuppressWarnings("unchecked")
        Event<MarketMessage> events = mock(Event.class);
        StreamHub created =
                new StreamHub(settings, executors, events, beans, bus, interests, new NodeIdentity("n1", "default", 1));
        created.start();
        return created;
    }

    @AfterEach
    void stop() {
        hub.stop();
        timers.shutdownNow();
        delivery.shutdownNow();
    }

    /** A sink that records the data lines it was sent; {@code stuck} writes never complete. */
    private static class RecordingSink implements EventSink {
        final List<Object> data = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<byte[]> writes = new CopyOnWriteArrayList<>();
        private final boolean stuck;
        volatile boolean closed;

        RecordingSink(boolean stuck) {
            this.stuck = stuck;
        }

        @Override
        public CompletionStage<Void> write(byte[] bytes) {
            String text = new String(bytes, StandardCharsets.UTF_8);
            writes.add(bytes);
            if (stuck) {
                return new CompletableFuture<>();
            }
            for (String line : text.split("\n")) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                } else if (line.startsWith("event: ")) {
                    events.add(line.substring(7));
                }
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static MarketMessage message(String client, long sequence) {
        return new MarketMessage(
                client, CHANNEL, sequence, 1_700_000_000_000L, false, "[{\"trade_seq\":" + sequence + "}]");
    }

    @Test
    void aConsumerReceivesItsChannelInOrderAsMarketMessageJson() {
        RecordingSink consumer = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), consumer);

        hub.publish(message("d1", 1));
        hub.publish(new MarketMessage("d1", "book.BTC-PERPETUAL.100ms", 9, 1, false, "{}"));
        hub.publish(message("d1", 2));

        await().atMost(Duration.ofSeconds(5)).until(() -> consumer.data.size() == 2);
        assertThat(consumer.data)
                .containsExactly(
                        "{\"channel\":\"trades.BTC-PERPETUAL.raw\",\"client\":\"d1\",\"sequence\":1,\"receivedAt\":1700000000000,"
                                + "\"gap\":false,\"data\":[{\"trade_seq\":1}]}",
                        "{\"channel\":\"trades.BTC-PERPETUAL.raw\",\"client\":\"d1\",\"sequence\":2,\"receivedAt\":1700000000000,"
                                + "\"gap\":false,\"data\":[{\"trade_seq\":2}]}");
        assertThat(hub.eventsWritten()).as("keep-alive comments are not events").isEqualTo(2);
        assertThat(hub.streamWrites()).isBetween(1L, 3L);
    }

    @Test
    void aMessageIsFramedOnceAndTheSameBytesGoToEveryConsumer() {
        RecordingSink first = new RecordingSink(false);
        RecordingSink second = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), first);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), second);
        // Each stream's opening keep-alive first, so the message is a write of its own.
        await().atMost(Duration.ofSeconds(5)).until(() -> first.writes.size() == 1 && second.writes.size() == 1);

        hub.publish(message("d1", 1));

        await().atMost(Duration.ofSeconds(5)).until(() -> first.writes.size() == 2 && second.writes.size() == 2);
        assertThat(first.writes.get(1)).isSameAs(second.writes.get(1));
        assertThat(first.data).hasSize(1);
    }

    @Test
    void aClientFilterKeepsOtherClientsOut() {
        RecordingSink consumer = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), "d2"), consumer);

        hub.publish(message("d1", 1));
        hub.publish(message("d2", 2));

        await().atMost(Duration.ofSeconds(5)).until(() -> consumer.data.size() == 1);
        assertThat((String) consumer.data.get(0)).contains("\"client\":\"d2\"");
    }

    @Test
    void aStuckConsumerIsDroppedWhileTheOthersGetEverythingAndThePublisherNeverWaits() {
        RecordingSink stuck = new RecordingSink(true);
        RecordingSink healthy = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), stuck);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), healthy);

        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            for (int i = 1; i <= 200; i++) {
                hub.publish(message("d1", i));
                if (i % 3 == 0) {
                    Thread.sleep(1);
                }
            }
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.data.size() == 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.consumerCount() == 1);
        assertThat(hub.endedByReason()).containsOnlyKeys("buffer-full");
        await().atMost(Duration.ofSeconds(5)).until(() -> stuck.closed);
    }

    @Test
    void aConsumerWhoseWriteStaysBlockedPastTheSendTimeoutIsDroppedWhileOthersGoOn() {
        RecordingSink stuck = new RecordingSink(true);
        RecordingSink healthy = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), stuck);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), healthy);

        hub.publish(message("d1", 1));

        // One message, far below the buffer: only the blocked write (send-timeout 300 ms) can end the stream.
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.consumerCount() == 1);
        assertThat(hub.endedByReason()).containsOnlyKeys("send-timeout");
        await().atMost(Duration.ofSeconds(5)).until(() -> stuck.closed);
        hub.publish(message("d1", 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.data.size() == 2);
    }

    @Test
    void aConsumerWhoseOldestEventWaitedLongerThanTheMaxLagIsDroppedWhileOthersGoOn() throws Exception {
        // A send timeout far away: only the lag (200 ms) can end the stream.
        replaceHub(Duration.ofSeconds(30), 1000, Duration.ofSeconds(60), Duration.ofMillis(200));
        CompletableFuture<Void> firstWrite = new CompletableFuture<>();
        RecordingSink healthy = new RecordingSink(false);
        RecordingSink slow = new RecordingSink(false) {
            @Override
            public CompletionStage<Void> write(byte[] bytes) {
                super.write(bytes);
                // The opening keep-alive stays in the socket until the test lets it go.
                return writes.size() == 1 ? firstWrite : CompletableFuture.completedFuture(null);
            }
        };
        hub.open(new StreamFilter(Set.of(CHANNEL), null), slow);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), healthy);
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.writes.size() == 1);

        hub.publish(message("d1", 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.data.size() == 1);
        Thread.sleep(400);
        assertThat(hub.consumerCount())
                .as("nothing ends a stream while its write is pending")
                .isEqualTo(2);
        firstWrite.complete(null);

        await().atMost(Duration.ofSeconds(5)).until(() -> hub.consumerCount() == 1);
        assertThat(hub.endedByReason()).containsOnlyKeys("lagging");
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.closed);
        assertThat(slow.events).containsExactly("dropped");
        assertThat(slow.data).hasSize(1);
        assertThat((String) slow.data.get(0)).contains("\"reason\":\"lagging\"");
        hub.publish(message("d1", 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.data.size() == 2);
    }

    @Test
    void aStreamWhoseDrainTheBusyPoolRefusedIsStartedAgainByTheSweep() {
        // A delivery pool with every thread busy refuses work; the hub's periodic sweep must start the lane again.
        AtomicBoolean busy = new AtomicBoolean(true);
        ThreadPoolExecutor refusing = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
            @Override
            public void execute(Runnable task) {
                if (busy.get()) {
                    throw new RejectedExecutionException("every delivery thread busy");
                }
                super.execute(task);
            }
        };
        hub.stop();
        NovaExecutors executors = mock(NovaExecutors.class);
        when(executors.timers()).thenReturn(timers);
        when(executors.delivery()).thenReturn(refusing);
        hub = hub(executors, Duration.ofMillis(300));
        try {
            RecordingSink consumer = new RecordingSink(false);
            hub.open(new StreamFilter(Set.of(CHANNEL), null), consumer);
            hub.publish(message("d1", 1));
            assertThat(consumer.writes).isEmpty();

            // No new message comes: only the sweep (every second here) can deliver what waits.
            busy.set(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> consumer.data.size() == 1);
            assertThat(consumer.closed).isFalse();
        } finally {
            refusing.shutdownNow();
        }
    }

    @Test
    void aConsumerThatGoneAwayIsRemoved() {
        RecordingSink consumer = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), consumer);
        consumer.closed = true;

        hub.publish(message("d1", 1));

        await().atMost(Duration.ofSeconds(5)).until(() -> hub.consumerCount() == 0);
        assertThat(hub.endedByReason()).containsEntry("disconnected", 1L);
    }

    @Test
    void unsequencedMessagesEncodeANullSequence() {
        assertThat(MarketMessageJson.encode(
                        new MarketMessage("c", "ticker.X.100ms", MarketMessage.NO_SEQUENCE, 5, true, "{\"a\":1}")))
                .isEqualTo("{\"channel\":\"ticker.X.100ms\",\"client\":\"c\",\"sequence\":null,\"receivedAt\":5,"
                        + "\"gap\":true,\"data\":{\"a\":1}}");
    }

    @Test
    void stuckConsumersHoldNoThreadsSoHealthyOnesKeepUp() {
        // Writes that hang for up to 30 s: a design that waited on them would starve the four delivery threads.
        hub.stop();
        hub = hub(Duration.ofSeconds(30));
        List<RecordingSink> stuck = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            RecordingSink sink = new RecordingSink(true);
            stuck.add(sink);
            hub.open(new StreamFilter(Set.of(CHANNEL), null), sink);
        }
        RecordingSink healthy = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), healthy);

        for (int i = 1; i <= 40; i++) {
            hub.publish(message("d1", i));
        }

        // Twelve writes hang at once on a four-thread pool; the healthy consumer still gets everything.
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.data.size() == 40);
    }

    @Test
    void aNewConsumerOnANodeThatOnceOwnedTheClientSeesNoGapBeforeItsFirstMessage() {
        when(bus.active()).thenReturn(true);
        when(bus.sender(ClusterBus.Topic.MARKET_DATA)).thenReturn(sender);
        when(interests.index()).thenReturn(Map.of(CHANNEL, Set.of("n2")));
        hub.stop();
        hub = hub(Duration.ofMillis(300));
        // This node ran the client while n2 streamed the channel: it followed (and kept) its sequences.
        for (long sequence = 1; sequence <= 3; sequence++) {
            hub.publish(trade(CHANNEL, sequence));
        }

        // The client moved away; later a consumer here starts the stream, forwarded from the new owner.
        RecordingSink consumer = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), consumer);
        hub.deliverRemote(trade(CHANNEL, 10));
        hub.deliverRemote(trade(CHANNEL, 11));

        await().atMost(Duration.ofSeconds(5)).until(() -> consumer.data.size() == 2);
        assertThat(sequencesAndGaps(consumer)).containsExactly("10", "11");
    }

    @Test
    void localMessagesAreForwardedToInterestedNodesAndRemoteOnesAreNot() throws Exception {
        when(bus.active()).thenReturn(true);
        when(bus.sender(ClusterBus.Topic.MARKET_DATA)).thenReturn(sender);
        when(sender.send(any(), any())).thenReturn(true);
        when(interests.index()).thenReturn(Map.of(CHANNEL, Set.of("n1", "n2")));
        hub.stop();
        hub = hub(Duration.ofMillis(300));
        MarketMessage local = message("d1", 1);
        MarketMessage remote = message("d1", 2);

        hub.publish(local);
        hub.deliverRemote(remote);

        ArgumentCaptor<byte[]> sent = ArgumentCaptor.forClass(byte[].class);
        verify(sender, timeout(5_000)).send(eq("n2"), sent.capture());
        assertThat(Forwarder.decode(sent.getValue(), 0, sent.getValue().length)).isEqualTo(local);
        Thread.sleep(200);
        verify(sender, times(1)).send(any(), any());
        verify(sender, never()).send(eq("n1"), any());
        assertThat(hub.forwardedCount()).isEqualTo(1);
    }

    /** Replaces the hub with one that keeps {@code replaySize} messages per channel for {@code retention}. */
    private void replaceHub(int replaySize, Duration retention) {
        replaceHub(Duration.ofMillis(300), replaySize, retention, Duration.ofSeconds(30));
    }

    private void replaceHub(Duration sendTimeout, int replaySize, Duration retention, Duration maxLag) {
        hub.stop();
        NovaExecutors executors = mock(NovaExecutors.class);
        when(executors.timers()).thenReturn(timers);
        when(executors.delivery()).thenReturn(delivery);
        when(executors.control()).thenReturn(delivery);
        hub = hub(
                executors,
                new StreamSettings(64, Duration.ofSeconds(30), sendTimeout, true, replaySize, retention, maxLag));
    }

    /** A trade of {@code channel} that says which sequence came before it, as Deribit's trades do. */
    private static MarketMessage trade(String channel, long sequence) {
        return new MarketMessage(
                "d1", channel, sequence, sequence - 1, 1_700_000_000_000L, false, "[" + sequence + "]");
    }

    private static List<String> sequencesAndGaps(RecordingSink sink) {
        return sink.data.stream()
                .map(String.class::cast)
                .map(d -> d.replaceAll(".*\"sequence\":(\\d+).*\"gap\":(\\w+).*", "$1$2"))
                .map(d -> d.replace("false", "").replace("true", " gap"))
                .toList();
    }

    /** Ends a stream the way a consumer going away does: its sink is closed and the next write notices. */
    private void leave(RecordingSink sink, long sequence) {
        sink.closed = true;
        hub.publish(trade(CHANNEL, sequence));
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.consumerCount() == 0);
    }

    @Test
    void aConsumerBackWithLastEventIdGetsWhatItMissedThenTheLiveStreamWithNoDuplicate() {
        RecordingSink first = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), first);
        for (long sequence = 1; sequence <= 3; sequence++) {
            hub.publish(trade(CHANNEL, sequence));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> first.data.size() == 3);
        leave(first, 4);
        hub.publish(trade(CHANNEL, 5));

        RecordingSink back = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), back, 3L);
        hub.publish(trade(CHANNEL, 6));

        await().atMost(Duration.ofSeconds(5)).until(() -> back.data.size() == 3);
        assertThat(sequencesAndGaps(back)).containsExactly("4", "5", "6");
    }

    @Test
    void pastTheReplayBufferTheFirstMessageIsMarkedAGap() {
        replaceHub(2, Duration.ofSeconds(60));
        RecordingSink first = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), first);
        hub.publish(trade(CHANNEL, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> first.data.size() == 1);
        leave(first, 2);
        for (long sequence = 3; sequence <= 6; sequence++) {
            hub.publish(trade(CHANNEL, sequence));
        }

        RecordingSink back = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), back, 1L);
        hub.publish(trade(CHANNEL, 7));

        await().atMost(Duration.ofSeconds(5)).until(() -> back.data.size() == 3);
        assertThat(sequencesAndGaps(back)).as("2 to 4 are gone: 5 says so").containsExactly("5 gap", "6", "7");
    }

    @Test
    void aStreamOfSeveralChannelsResumesTheChannelOfTheIdAndMarksTheOthersFirstMessageAGap() {
        String other = "trades.ETH-PERPETUAL.raw";
        RecordingSink first = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL, other), null), first);
        hub.publish(trade(other, 100));
        hub.publish(trade(CHANNEL, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> first.data.size() == 2);
        leave(first, 2);
        hub.publish(trade(other, 101));

        RecordingSink back = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL, other), null), back, 1L);
        hub.publish(trade(other, 102));
        hub.publish(trade(CHANNEL, 3));

        await().atMost(Duration.ofSeconds(5)).until(() -> back.data.size() == 3);
        assertThat(sequencesAndGaps(back)).containsExactly("2", "102 gap", "3");
    }

    @Test
    void anIdFoundInSeveralChannelsResumesNoneOfThemAndMarksEachFirstMessageAGap() {
        String other = "trades.ETH-PERPETUAL.raw";
        RecordingSink first = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL, other), null), first);
        hub.publish(trade(other, 1));
        hub.publish(trade(CHANNEL, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> first.data.size() == 2);
        leave(first, 2);

        RecordingSink back = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL, other), null), back, 1L);
        hub.publish(trade(other, 2));
        hub.publish(trade(CHANNEL, 3));

        await().atMost(Duration.ofSeconds(5)).until(() -> back.data.size() == 2);
        assertThat(sequencesAndGaps(back)).containsExactly("2 gap", "3 gap");
    }

    @Test
    void whatThisNodeDidNotKeepIsAskedOfTheOtherMembers() throws Exception {
        when(bus.active()).thenReturn(true);
        when(bus.sender(ClusterBus.Topic.MARKET_DATA)).thenReturn(sender);
        when(interests.index()).thenReturn(Map.of());
        when(bus.members()).thenReturn(Set.of("n1", "n2"));
        when(bus.call(eq("n2"), eq(ClusterBus.Operation.REPLAY), any(), any()))
                .thenReturn(CompletableFuture.completedFuture(
                        Replays.encode(List.of(trade(CHANNEL, 8), trade(CHANNEL, 9)))));
        hub.stop();
        hub = hub(Duration.ofMillis(300));

        RecordingSink back = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), back, 7L);
        hub.deliverRemote(trade(CHANNEL, 10));

        await().atMost(Duration.ofSeconds(5)).until(() -> back.data.size() == 3);
        assertThat(sequencesAndGaps(back)).containsExactly("8", "9", "10");
        verify(bus, never()).call(eq("n1"), any(), any(), any());
    }

    @Test
    void aResumedStreamHoldsAtMostItsBufferWhileItWaitsForTheOthersAndThenEndsAsASlowOneDoes() {
        when(bus.active()).thenReturn(true);
        when(bus.sender(ClusterBus.Topic.MARKET_DATA)).thenReturn(sender);
        when(interests.index()).thenReturn(Map.of());
        when(bus.members()).thenReturn(Set.of("n1", "n2"));
        when(bus.call(eq("n2"), eq(ClusterBus.Operation.REPLAY), any(), any())).thenReturn(new CompletableFuture<>());
        hub.stop();
        hub = hub(Duration.ofMillis(300));

        RecordingSink back = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), back, 7L);
        for (long sequence = 8; sequence < 8 + 32; sequence++) {
            hub.deliverRemote(trade(CHANNEL, sequence));
        }
        assertThat(hub.consumerCount()).as("32 held, half the buffer").isEqualTo(1);
        hub.deliverRemote(trade(CHANNEL, 100));

        await().atMost(Duration.ofSeconds(5)).until(() -> hub.consumerCount() == 0);
        assertThat(hub.endedByReason()).containsEntry("buffer-full", 1L);
        await().atMost(Duration.ofSeconds(5)).until(() -> !back.events.isEmpty());
        assertThat(back.events).as("no message, the farewell only").containsExactly("dropped");
    }

    @Test
    void openingAndEndingStreamsTellInterestsToRecheckTheEndAfterTheReplayRetention() {
        replaceHub(10, Duration.ofMillis(500));
        RecordingSink consumer = new RecordingSink(false);
        hub.open(new StreamFilter(Set.of(CHANNEL), null), consumer);
        ArgumentCaptor<BooleanSupplier> wanted = ArgumentCaptor.forClass(BooleanSupplier.class);
        verify(interests).update(eq(CHANNEL), wanted.capture());
        assertThat(wanted.getValue().getAsBoolean()).isTrue();

        consumer.closed = true;
        hub.publish(message("d1", 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.consumerCount() == 0);
        assertThat(wanted.getValue().getAsBoolean()).isFalse();
        verify(interests, times(1)).update(eq(CHANNEL), any());

        // The retention over, the interest is looked at again, and is gone.
        verify(interests, timeout(5_000).times(2)).update(eq(CHANNEL), wanted.capture());
        assertThat(wanted.getValue().getAsBoolean()).isFalse();
    }
}
