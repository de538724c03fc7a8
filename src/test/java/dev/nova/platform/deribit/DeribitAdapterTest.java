package dev.nova.platform.deribit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.platform.InboundFrame;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames below are shaped like the examples in Deribit's API documentation (v2). */
class DeribitAdapterTest {

    private final DeribitAdapter adapter = new DeribitAdapter();

    @Test
    void decodesBookSnapshotWithChangeIdAsSnapshotSequence() {
        String data = "{\"type\":\"snapshot\",\"timestamp\":1554373962454,\"instrument_name\":\"BTC-PERPETUAL\","
                + "\"change_id\":297217,\"bids\":[[\"new\",5042.34,30],[\"new\",5041.94,20]],"
                + "\"asks\":[[\"new\",5042.64,40],[\"new\",5043.3,40]]}";
        String frame = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
                + "\"book.BTC-PERPETUAL.100ms\",\"data\":" + data + "}}";

        InboundFrame decoded = adapter.decode(frame);

        assertThat(decoded)
                .isEqualTo(new InboundFrame.Notification(
                        "book.BTC-PERPETUAL.100ms", data, 297217, InboundFrame.NO_SEQUENCE, true));
    }

    @Test
    void decodesBookChangeWithPrevChangeIdAsPrevious() {
        String data = "{\"type\":\"change\",\"timestamp\":1554373911330,\"prev_change_id\":297217,"
                + "\"instrument_name\":\"BTC-PERPETUAL\",\"change_id\":297218,"
                + "\"bids\":[[\"delete\",5041.94,0],[\"delete\",5042.34,0]],\"asks\":[]}";
        String frame = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
                + "\"book.BTC-PERPETUAL.100ms\",\"data\":" + data + "}}";

        InboundFrame.Notification decoded = (InboundFrame.Notification) adapter.decode(frame);

        assertThat(decoded.sequence()).isEqualTo(297218);
        assertThat(decoded.previous()).isEqualTo(297217);
        assertThat(decoded.snapshot()).isFalse();
        assertThat(decoded.data()).isEqualTo(data);
    }

    @Test
    void decodesInstrumentTradesWithTradeSeqRange() {
        String data = "[{\"trade_seq\":30289432,\"trade_id\":\"48079254\",\"timestamp\":1590484156350,"
                + "\"tick_direction\":0,\"price\":8950,\"mark_price\":8948.9,\"instrument_name\":\"BTC-PERPETUAL\","
                + "\"index_price\":8955.88,\"direction\":\"sell\",\"amount\":10},"
                + "{\"trade_seq\":30289433,\"trade_id\":\"48079255\",\"timestamp\":1590484156350,"
                + "\"tick_direction\":1,\"price\":8950,\"mark_price\":8948.9,\"instrument_name\":\"BTC-PERPETUAL\","
                + "\"index_price\":8955.88,\"direction\":\"sell\",\"amount\":5}]";
        String frame = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
                + "\"trades.BTC-PERPETUAL.100ms\",\"data\":" + data + "}}";

        InboundFrame.Notification decoded = (InboundFrame.Notification) adapter.decode(frame);

        assertThat(decoded.sequence()).isEqualTo(30289433);
        assertThat(decoded.previous()).isEqualTo(30289431);
        assertThat(decoded.data()).isEqualTo(data);
    }

    @Test
    void tradesOfAKindAndCurrencyMixInstrumentsSoCarryNoSequence() {
        String frame = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
                + "\"trades.future.BTC.100ms\",\"data\":[{\"trade_seq\":5,\"instrument_name\":\"BTC-PERPETUAL\"}]}}";

        InboundFrame.Notification decoded = (InboundFrame.Notification) adapter.decode(frame);

        assertThat(decoded.sequenced()).isFalse();
    }

    @Test
    void tickerCarriesNoSequence() {
        String frame = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
                + "\"ticker.BTC-PERPETUAL.100ms\",\"data\":{\"timestamp\":1623060194301,\"stats\":{\"volume\":1},"
                + "\"best_bid_price\":36450,\"instrument_name\":\"BTC-PERPETUAL\"}}}";

        InboundFrame.Notification decoded = (InboundFrame.Notification) adapter.decode(frame);

        assertThat(decoded.channel()).isEqualTo("ticker.BTC-PERPETUAL.100ms");
        assertThat(decoded.sequenced()).isFalse();
    }

    @Test
    void findsChannelAndDataWhateverTheirOrder() {
        String frame = "{\"params\":{\"data\":{\"change_id\":7,\"prev_change_id\":6},\"channel\":"
                + "\"book.ETH-PERPETUAL.raw\"},\"method\":\"subscription\",\"jsonrpc\":\"2.0\"}";

        InboundFrame.Notification decoded = (InboundFrame.Notification) adapter.decode(frame);

        assertThat(decoded.channel()).isEqualTo("book.ETH-PERPETUAL.raw");
        assertThat(decoded.sequence()).isEqualTo(7);
        assertThat(decoded.previous()).isEqualTo(6);
    }

    @Test
    void scalarPayloadsPassThroughAsValidJson() {
        String frame = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
                + "\"deribit_price_index.btc_usd\",\"data\":\"a\\\"b \\u00e9\"}}";

        InboundFrame.Notification decoded = (InboundFrame.Notification) adapter.decode(frame);

        assertThat(decoded.data()).isEqualTo("\"a\\\"b \\u00e9\"");
    }

    @Test
    void decodesTestRequestAndPlainHeartbeat() {
        assertThat(adapter.decode(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"test_request\"}}"))
                .isEqualTo(new InboundFrame.Heartbeat(true));
        assertThat(adapter.decode("{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"heartbeat\"}}"))
                .isEqualTo(new InboundFrame.Heartbeat(false));
    }

    @Test
    void decodesResponseWithRawResult() {
        String frame = "{\"jsonrpc\":\"2.0\",\"id\":42,\"result\":[\"book.BTC-PERPETUAL.100ms\"],"
                + "\"usIn\":1535043730126248,\"usOut\":1535043730126250,\"usDiff\":2,\"testnet\":false}";

        assertThat(adapter.decode(frame)).isEqualTo(new InboundFrame.Response(42, "[\"book.BTC-PERPETUAL.100ms\"]"));
        assertThat(adapter.decode("{\"jsonrpc\":\"2.0\",\"id\":9098,\"result\":\"ok\"}"))
                .isEqualTo(new InboundFrame.Response(9098, "\"ok\""));
    }

    @Test
    void decodesTooManyRequestsErrorAsRateLimit() {
        String frame = "{\"jsonrpc\":\"2.0\",\"id\":8163,\"error\":{\"code\":10028,\"message\":\"too_many_requests\"},"
                + "\"testnet\":false,\"usIn\":1535037392434763,\"usOut\":1535037392448119,\"usDiff\":13356}";

        InboundFrame decoded = adapter.decode(frame);

        assertThat(decoded).isEqualTo(new InboundFrame.ErrorReply(8163, 10028, "too_many_requests"));
        assertThat(adapter.isRateLimitError(10028)).isTrue();
    }

    @Test
    void malformedInputIsUnrecognisedNotThrown() {
        assertThat(adapter.decode("{not json")).isInstanceOf(InboundFrame.Unrecognized.class);
        assertThat(adapter.decode("[1,2]")).isInstanceOf(InboundFrame.Unrecognized.class);
        assertThat(adapter.decode("{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"x\""))
                .isInstanceOf(InboundFrame.Unrecognized.class);
        assertThat(adapter.decode("")).isInstanceOf(InboundFrame.Unrecognized.class);
    }

    @Test
    void encodesSubscribeAuthHeartbeatAndTestAsJsonRpc() {
        assertThat(adapter.encodeSubscribe(3, List.of("book.BTC-PERPETUAL.100ms", "trades.BTC-PERPETUAL.raw"), false))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"public/subscribe\",\"params\":{\"channels\":"
                        + "[\"book.BTC-PERPETUAL.100ms\",\"trades.BTC-PERPETUAL.raw\"]}}");
        assertThat(adapter.encodeSubscribe(4, List.of("user.orders.BTC-PERPETUAL.raw"), true))
                .contains("\"method\":\"private/subscribe\"");
        assertThat(adapter.encodeAuth(5, "id\"1", "s3cr\\et"))
                .contains("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"public/auth\",\"params\":{\"grant_type\":"
                        + "\"client_credentials\",\"client_id\":\"id\\\"1\",\"client_secret\":\"s3cr\\\\et\"}}");
        assertThat(adapter.encodeHeartbeatSetup(6, 10))
                .contains(
                        "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"public/set_heartbeat\",\"params\":{\"interval\":10}}");
        assertThat(adapter.encodeHeartbeatReply(7))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"public/test\",\"params\":{}}");
    }

    @Test
    void acceptedChannelsAreThoseDeribitListed() {
        var response = new InboundFrame.Response(1, "[\"book.BTC-PERPETUAL.100ms\"]");

        assertThat(adapter.acceptedChannels(List.of("book.BTC-PERPETUAL.100ms", "book.NOPE-PERPETUAL.100ms"), response))
                .containsExactly("book.BTC-PERPETUAL.100ms");
    }

    @Test
    void checksChannelSyntax() {
        assertThat(adapter.checkChannel("book.BTC-PERPETUAL.100ms")).isEmpty();
        assertThat(adapter.checkChannel("trades.BTC-PERPETUAL.raw")).isEmpty();
        assertThat(adapter.checkChannel("ticker.ETH-PERPETUAL.100ms")).isEmpty();
        assertThat(adapter.checkChannel("book.BTC-PERPETUAL.none.10.100ms")).isEmpty();
        assertThat(adapter.checkChannel("trades.future.BTC.raw")).isEmpty();
        assertThat(adapter.checkChannel("deribit_price_index.btc_usd")).isEmpty();
        assertThat(adapter.checkChannel("book.btc-perpetual.100ms")).isPresent();
        assertThat(adapter.checkChannel("book.BTC-PERPETUAL.5s")).isPresent();
        assertThat(adapter.checkChannel("btcusdt@trade")).isPresent();
        assertThat(adapter.checkChannel("")).isPresent();
        assertThat(adapter.isPrivate("user.orders.BTC-PERPETUAL.raw")).isTrue();
        assertThat(adapter.checkUrl(URI.create("https://www.deribit.com"))).isPresent();
        assertThat(adapter.checkUrl(URI.create("wss://www.deribit.com/ws/api/v2")))
                .isEmpty();
    }
}
