package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.stream.MarketMessage;
import org.junit.jupiter.api.Test;

class ClusterBusCodecTest {

    @Test
    void aMarketMessageCrossesTheBusUnchanged() {
        MarketMessage message = new MarketMessage(
                "d1", "book.BTC-PERPETUAL.100ms", 297218, 1_700_000_000_123L, true, "{\"é\":\"€ 𝄞\",\"n\":[1,2]}");

        byte[] bytes = ClusterBus.encode(message);
        byte[] framed = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, framed, 3, bytes.length);

        assertThat(ClusterBus.decode(framed, 3, bytes.length)).isEqualTo(message);
    }

    @Test
    void anUnsequencedMessageKeepsItsMarker() {
        MarketMessage message = new MarketMessage("c", "ticker.X.100ms", MarketMessage.NO_SEQUENCE, 1, false, "{}");

        assertThat(ClusterBus.decode(ClusterBus.encode(message), 0, ClusterBus.encode(message).length)
                        .sequenced())
                .isFalse();
    }
}
