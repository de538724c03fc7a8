package dev.nova.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-channel replay buffers: bounded per client, asked after a sequence, dropped when nobody wants them. */
class ReplayBuffersTest {

    private static final String CHANNEL = "trades.BTC-PERPETUAL.raw";

    private static MarketMessage trade(String client, long sequence) {
        return new MarketMessage(client, CHANNEL, sequence, sequence - 1, 0, false, "[]");
    }

    private static List<Long> sequences(List<MarketMessage> messages) {
        return messages.stream().map(MarketMessage::sequence).toList();
    }

    @Test
    void aChannelKeepsItsLastMessagesOnlyWhateverClientSentThem() {
        ReplayBuffers buffers = new ReplayBuffers(3);
        ReplayBuffers.Channel channel = buffers.open(CHANNEL);
        for (long sequence = 1; sequence <= 5; sequence++) {
            channel.add(trade("a", sequence));
        }
        channel.add(trade("b", 1));

        assertThat(sequences(buffers.after(Set.of(CHANNEL), "a", 0))).containsExactly(4L, 5L);
        assertThat(sequences(buffers.after(Set.of(CHANNEL), "a", 4))).containsExactly(5L);
        assertThat(sequences(buffers.after(Set.of(CHANNEL), null, 0))).containsExactly(4L, 5L, 1L);
        assertThat(buffers.reachBack(Set.of(CHANNEL), "a", 4)).isTrue();
        assertThat(buffers.reachBack(Set.of(CHANNEL), "a", 3)).as("3 is gone").isFalse();
        assertThat(buffers.reachBack(Set.of(CHANNEL), null, 4))
                .as("b's oldest, 1, is before 4")
                .isTrue();
        assertThat(buffers.reachBack(Set.of(CHANNEL), "c", 4))
                .as("nothing of c")
                .isFalse();
        assertThat(buffers.reachBack(Set.of(CHANNEL, "other"), "a", 4))
                .as("nothing kept of other")
                .isFalse();
    }

    @Test
    void aChannelNobodyWantsIsDroppedAfterTheRetention() {
        ReplayBuffers buffers = new ReplayBuffers(3);
        buffers.open(CHANNEL);

        assertThat(buffers.sweep(channel -> true, 0)).isEmpty();
        assertThat(buffers.sweep(channel -> false, 60_000))
                .as("within the retention")
                .isEmpty();
        assertThat(buffers.sweep(channel -> false, 0)).containsExactly(CHANNEL);
        assertThat(buffers.get(CHANNEL)).isNull();
    }

    @Test
    void aChannelStillArrivingIsKeptWithoutConsumersAndAFrozenOneIsDropped() {
        ReplayBuffers buffers = new ReplayBuffers(3);
        buffers.open(CHANNEL).add(trade("a", 1));

        assertThat(buffers.sweep(channel -> false, 0))
                .as("a message arrived since the last sweep")
                .isEmpty();
        assertThat(buffers.sweep(channel -> false, 0))
                .as("nothing since: frozen")
                .containsExactly(CHANNEL);
    }

    @Test
    void sizeZeroKeepsNothing() {
        ReplayBuffers buffers = new ReplayBuffers(0);

        assertThat(buffers.open(CHANNEL)).isNull();
        assertThat(buffers.enabled()).isFalse();
    }

    @Test
    void whatANodeKeptCrossesTheBusUnchanged() {
        List<MarketMessage> kept = List.of(trade("a", 7), new MarketMessage("b", CHANNEL, 9, 3, true, "{\"x\":1}"));

        assertThat(Replays.decode(Replays.encode(kept))).isEqualTo(kept);
    }
}
