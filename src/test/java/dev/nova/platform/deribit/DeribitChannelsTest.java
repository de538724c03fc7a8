package dev.nova.platform.deribit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeribitChannelsTest {

    @Test
    void contiguousTradeSeqIsExactlyTheInstrumentTradesPattern() {
        List<String> channels = List.of(
                "trades.BTC-PERPETUAL.raw",
                "trades.BTC-PERPETUAL.100ms",
                "trades.ETH-27DEC24-4000-C.agg2",
                "trades.BTC_USDC.raw",
                "trades.1INCH.raw",
                "trades.future.BTC.raw",
                "trades.option.ETH.100ms",
                "trades.-BTC.raw",
                "trades._BTC.raw",
                "trades..raw",
                "trades.raw",
                "trades.BTC-PERPETUAL.1s",
                "trades.BTC-PERPETUAL.raw.x",
                "trades.BTC.PERP.raw",
                "trades.btc-perpetual.raw",
                "trades.BTC PERP.raw",
                "book.BTC-PERPETUAL.raw",
                "chart.trades.BTC-PERPETUAL.1",
                "xtrades.BTC-PERPETUAL.raw",
                "");
        for (String channel : channels) {
            assertThat(DeribitChannels.hasContiguousTradeSeq(channel))
                    .as(channel)
                    .isEqualTo(
                            DeribitChannels.INSTRUMENT_TRADES.matcher(channel).matches());
        }
        assertThat(DeribitChannels.hasContiguousTradeSeq("trades.BTC-PERPETUAL.raw"))
                .isTrue();
        assertThat(DeribitChannels.hasContiguousTradeSeq("trades.future.BTC.raw"))
                .isFalse();
    }
}
