package dev.nova.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ForwarderCodecTest {

    @Test
    void aMarketMessageCrossesTheBusUnchanged() throws Exception {
        MarketMessage message = new MarketMessage(
                "d1", "book.BTC-PERPETUAL.100ms", 297218, 1_700_000_000_123L, true, "{\"é\":\"€ 𝄞\",\"n\":[1,2]}");

        byte[] bytes = Forwarder.encode(message);
        byte[] framed = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, framed, 3, bytes.length);

        assertThat(Forwarder.decode(framed, 3, bytes.length)).isEqualTo(message);
    }

    @Test
    void anUnsequencedMessageKeepsItsMarker() throws Exception {
        MarketMessage message = new MarketMessage("c", "ticker.X.100ms", MarketMessage.NO_SEQUENCE, 1, false, "{}");

        assertThat(Forwarder.decode(Forwarder.encode(message), 0, Forwarder.encode(message).length)
                        .sequenced())
                .isFalse();
    }
}
