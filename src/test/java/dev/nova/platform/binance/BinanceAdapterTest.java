package dev.nova.platform.binance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.platform.InboundFrame;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Payloads below are the examples of Binance's spot WebSocket Streams documentation, in combined envelopes. */
class BinanceAdapterTest {

    private final BinanceAdapter adapter = new BinanceAdapter();

    private static String combined(String stream, String data) {
        return "{\"stream\":\"" + stream + "\",\"data\":" + data + "}";
    }

    @Test
    void decodesDiffDepthWithUpdateIdRange() {
        String data = "{\"e\":\"depthUpdate\",\"E\":1672515782136,\"s\":\"BNBBTC\",\"U\":157,\"u\":160,"
                + "\"b\":[[\"0.0024\",\"10\"]],\"a\":[[\"0.0026\",\"100\"]]}";

        InboundFrame decoded = adapter.decode(combined("bnbbtc@depth", data));

        assertThat(decoded).isEqualTo(new InboundFrame.Notification("bnbbtc@depth", data, 160, 156, false));
    }

    @Test
    void decodesTradeWithTradeIdAsSequence() {
        String data = "{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BNBBTC\",\"t\":12345,\"p\":\"0.001\","
                + "\"q\":\"100\",\"T\":1672515782136,\"m\":true,\"M\":true}";

        InboundFrame.Notification decoded = (InboundFrame.Notification) adapter.decode(combined("bnbbtc@trade", data));

        assertThat(decoded.sequence()).isEqualTo(12345);
        assertThat(decoded.previous()).isEqualTo(12344);
        assertThat(decoded.data()).isEqualTo(data);
    }

    @Test
    void decodesAggregateTradeIdNotTheAsksField() {
        String data = "{\"e\":\"aggTrade\",\"E\":1672515782136,\"s\":\"BNBBTC\",\"a\":12345,\"p\":\"0.001\","
                + "\"q\":\"100\",\"f\":100,\"l\":105,\"T\":1672515782136,\"m\":true,\"M\":true}";

        InboundFrame.Notification decoded =
                (InboundFrame.Notification) adapter.decode(combined("bnbbtc@aggTrade", data));

        assertThat(decoded.sequence()).isEqualTo(12345);
        assertThat(decoded.previous()).isEqualTo(12344);
    }

    @Test
    void partialDepthIsASnapshotAndBookTickerOnlyMonotonic() {
        InboundFrame.Notification partial = (InboundFrame.Notification) adapter.decode(combined(
                "bnbbtc@depth5",
                "{\"lastUpdateId\":160,\"bids\":[[\"0.0024\",\"10\"]],\"asks\":[[\"0.0026\",\"100\"]]}"));
        InboundFrame.Notification ticker = (InboundFrame.Notification) adapter.decode(combined(
                "bnbusdt@bookTicker",
                "{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\","
                        + "\"a\":\"25.36520000\",\"A\":\"40.66000000\"}"));

        assertThat(partial.snapshot()).isTrue();
        assertThat(partial.sequence()).isEqualTo(160);
        assertThat(ticker.sequence()).isEqualTo(400900217);
        assertThat(ticker.previous()).isEqualTo(InboundFrame.NO_SEQUENCE);
    }

    @Test
    void allMarketStreamsMixSymbolsSoCarryNoSequence() {
        InboundFrame.Notification decoded = (InboundFrame.Notification) adapter.decode(combined(
                "!bookTicker",
                "{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\","
                        + "\"a\":\"25.36520000\",\"A\":\"40.66000000\"}"));

        assertThat(decoded.sequenced()).isFalse();
    }

    @Test
    void decodesResponsesAndBothErrorShapes() {
        assertThat(adapter.decode("{\"result\":null,\"id\":1}")).isEqualTo(new InboundFrame.Response(1, "null"));
        assertThat(adapter.decode("{\"result\":[\"btcusdt@aggTrade\"],\"id\":3}"))
                .isEqualTo(new InboundFrame.Response(3, "[\"btcusdt@aggTrade\"]"));
        assertThat(adapter.decode(
                        "{\"code\": 2, \"msg\": \"Invalid request: request ID must be an unsigned integer\"}"))
                .isEqualTo(
                        new InboundFrame.ErrorReply(-1, 2, "Invalid request: request ID must be an unsigned integer"));
        assertThat(adapter.decode("{\"error\":{\"code\":2,\"msg\":\"Invalid request\"},\"id\":7}"))
                .isEqualTo(new InboundFrame.ErrorReply(7, 2, "Invalid request"));
    }

    @Test
    void rawStreamPayloadWithoutEnvelopeIsUnrecognised() {
        assertThat(adapter.decode("{\"e\":\"trade\",\"E\":1,\"s\":\"BNBBTC\",\"t\":1}"))
                .isInstanceOf(InboundFrame.Unrecognized.class);
        assertThat(adapter.decode("not json")).isInstanceOf(InboundFrame.Unrecognized.class);
    }

    @Test
    void encodesLiveSubscribeAndUnsubscribe() {
        assertThat(adapter.encodeSubscribe(1, List.of("btcusdt@aggTrade", "btcusdt@depth"), false))
                .isEqualTo("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@aggTrade\",\"btcusdt@depth\"],\"id\":1}");
        assertThat(adapter.encodeUnsubscribe(312, List.of("btcusdt@depth"), false))
                .isEqualTo("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"btcusdt@depth\"],\"id\":312}");
    }

    @Test
    void nullResultAcceptsEveryRequestedStream() {
        assertThat(adapter.acceptedChannels(List.of("a@trade", "b@trade"), new InboundFrame.Response(1, "null")))
                .containsExactly("a@trade", "b@trade");
    }

    @Test
    void checksStreamNamesAndEndpoint() {
        assertThat(adapter.checkChannel("btcusdt@trade")).isEmpty();
        assertThat(adapter.checkChannel("btcusdt@depth@100ms")).isEmpty();
        assertThat(adapter.checkChannel("btcusdt@kline_1m")).isEmpty();
        assertThat(adapter.checkChannel("!ticker@arr")).isEmpty();
        assertThat(adapter.checkChannel("BTCUSDT@trade")).isPresent();
        assertThat(adapter.checkChannel("btcusdt@nonsense")).isPresent();
        assertThat(adapter.checkChannel("book.BTC-PERPETUAL.100ms")).isPresent();
        assertThat(adapter.checkUrl(URI.create("wss://stream.binance.com:9443/stream")))
                .isEmpty();
        assertThat(adapter.checkUrl(URI.create("wss://stream.binance.com:9443/ws")))
                .isPresent();
        assertThat(adapter.maxChannelsPerSession()).isEqualTo(1024);
    }
}
