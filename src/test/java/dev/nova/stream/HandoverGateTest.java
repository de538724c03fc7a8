package dev.nova.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The two gates of a transfer: the source's stops at a point, the target's delivers exactly what follows. */
class HandoverGateTest {

    private static MarketMessage trade(long sequence, long at) {
        return new MarketMessage("c", "trades", sequence, at, false, "{}");
    }

    private static MarketMessage ticker(long at) {
        return new MarketMessage("c", "ticker", MarketMessage.NO_SEQUENCE, at, false, "{}");
    }

    @Test
    void theTargetDeliversExactlyWhatFollowsTheSourcesLastMessage() {
        List<MarketMessage> consumer = new ArrayList<>();
        HandoverGate source = HandoverGate.live(consumer::add);
        HandoverGate target = HandoverGate.buffering(consumer::add);

        for (long s = 1; s <= 5; s++) {
            source.publish(trade(s, s));
        }
        target.publish(trade(4, 4));
        target.publish(trade(5, 5));
        target.publish(trade(6, 6));
        HandoverGate.Handover point = source.mute();
        source.publish(trade(6, 6));
        source.publish(trade(7, 7));
        int delivered = target.goLive(point);
        target.publish(trade(7, 7));
        target.publish(trade(8, 8));

        assertThat(point.lastSequences()).containsEntry("trades", 5L);
        assertThat(delivered).isEqualTo(1);
        assertThat(consumer).extracting(MarketMessage::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void unsequencedChannelsHandOverByArrivalTime() {
        List<MarketMessage> consumer = new ArrayList<>();
        HandoverGate target = HandoverGate.buffering(consumer::add);
        target.publish(ticker(100));
        target.publish(ticker(300));

        target.goLive(new HandoverGate.Handover(Map.of(), 200));

        assertThat(consumer).extracting(MarketMessage::receivedAt).containsExactly(300L);
    }

    @Test
    void unsequencedChannelsResumeAfterTheLastMessageTheSourceDeliveredNotWhenItWasMuted() {
        List<MarketMessage> consumer = new ArrayList<>();
        HandoverGate source = HandoverGate.live(consumer::add);
        HandoverGate target = HandoverGate.buffering(consumer::add);
        source.publish(ticker(100));
        source.publish(ticker(150));
        target.publish(ticker(150));
        target.publish(ticker(170));

        // Muted long after those arrived; the message received at 170 had not reached the source's gate yet.
        HandoverGate.Handover point = source.mute();
        source.publish(ticker(170));
        target.goLive(point);

        assertThat(point.mutedAt()).isEqualTo(150);
        assertThat(consumer).extracting(MarketMessage::receivedAt).containsExactly(100L, 150L, 170L);
    }

    @Test
    void aSourceThatDeliveredNothingLetsTheTargetDeliverAllItBuffered() {
        List<MarketMessage> consumer = new ArrayList<>();
        HandoverGate source = HandoverGate.live(consumer::add);
        HandoverGate target = HandoverGate.buffering(consumer::add);
        target.publish(ticker(100));

        target.goLive(source.mute());

        assertThat(consumer).extracting(MarketMessage::receivedAt).containsExactly(100L);
    }

    @Test
    void aBufferingGateKnowsWhenEveryChannelHasData() {
        HandoverGate target = HandoverGate.buffering(m -> {});
        target.publish(trade(1, 1));

        assertThat(target.hasDataOn(Set.of("trades"))).isTrue();
        assertThat(target.hasDataOn(Set.of("trades", "ticker"))).isFalse();
    }

    @Test
    void anAbortedHandoverUnmutesTheSource() {
        List<MarketMessage> consumer = new ArrayList<>();
        HandoverGate source = HandoverGate.live(consumer::add);
        source.mute();
        source.publish(trade(1, 1));

        source.unmute();
        source.publish(trade(2, 2));

        assertThat(consumer).extracting(MarketMessage::sequence).containsExactly(2L);
    }
}
