package dev.nova.platform.binance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.platform.FastPathCheck;
import dev.nova.platform.InboundFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scanner's fast path for stream events against Jackson's full decode: the fast path reads the events Binance
 * sends, and for any frame at all (valid or not) the adapter's answer is Jackson's.
 */
class BinanceFastPathTest {

    private static final List<String> EVENTS = List.of(
            "{\"stream\":\"bnbbtc@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1672515782136,\"s\":\"BNBBTC\","
                    + "\"U\":157,\"u\":160,\"b\":[[\"0.0024\",\"10\"]],\"a\":[[\"0.0026\",\"100\"]]}}",
            "{\"stream\":\"bnbbtc@trade\",\"data\":{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BNBBTC\",\"t\":12345,"
                    + "\"p\":\"0.001\",\"q\":\"100\",\"T\":1672515782136,\"m\":true,\"M\":true}}",
            "{\"stream\":\"bnbbtc@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":1672515782136,\"s\":\"BNBBTC\","
                    + "\"a\":12345,\"p\":\"0.001\",\"q\":\"100\",\"f\":100,\"l\":105,\"T\":1672515782136,\"m\":true}}",
            "{\"stream\":\"bnbbtc@depth5\",\"data\":{\"lastUpdateId\":160,\"bids\":[[\"0.0024\",\"10\"]],"
                    + "\"asks\":[[\"0.0026\",\"100\"]]}}",
            "{\"stream\":\"bnbbtc@bookTicker\",\"data\":{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\","
                    + "\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\"}}",
            "{\"stream\":\"!miniTicker@arr\",\"data\":[{\"e\":\"24hrMiniTicker\",\"E\":1,\"s\":\"BNBBTC\"}]}",
            " {\"data\" : {\"e\":\"kline\",\"E\":1,\"k\":{\"t\":1,\"x\":false,\"n\":null}} , \"stream\":"
                    + "\"bnbbtc@kline_1m\"}\n");

    private static final List<String> OTHER_FRAMES = List.of(
            "{\"result\":null,\"id\":1}",
            "{\"code\":2,\"msg\":\"Invalid request: unknown variant\",\"id\":3}",
            "{\"error\":{\"code\":429,\"msg\":\"Too many requests\"},\"id\":4}",
            "{\"stream\":\"x@trade\",\"data\":{\"e\":\"trade\",\"t\":1},\"code\":5}");

    private final BinanceAdapter adapter = new BinanceAdapter();

    @Test
    void theFastPathReadsStreamEventsAsJacksonDoes() {
        for (String frame : EVENTS) {
            InboundFrame.Notification fast = BinanceAdapter.scan(frame);
            assertThat(fast).as(frame).isNotNull().isEqualTo(BinanceAdapter.parse(frame));
        }
        assertThat(BinanceAdapter.scan(EVENTS.get(0)).previous()).isEqualTo(156);
        assertThat(BinanceAdapter.scan(EVENTS.get(2)).sequence()).isEqualTo(12345);
        assertThat(BinanceAdapter.scan(EVENTS.get(3)).snapshot()).isTrue();
        assertThat(BinanceAdapter.scan(EVENTS.get(5)).sequenced()).isFalse();
    }

    @Test
    void otherFramesAreLeftToJackson() {
        for (String frame : OTHER_FRAMES) {
            assertThat(BinanceAdapter.scan(frame)).as(frame).isNull();
            assertThat(adapter.decode(frame)).as(frame).isEqualTo(BinanceAdapter.parse(frame));
        }
    }

    /** Thousands of corrupted frames: whatever the fast path makes of them, the adapter answers as Jackson does. */
    @Test
    void anyCorruptionOfAFrameIsDecodedAsJacksonDecodesIt() {
        List<String> frames = new ArrayList<>(EVENTS);
        frames.addAll(OTHER_FRAMES);
        int fastPathRead = FastPathCheck.corruptionsDecodeAsJackson(
                frames, 3000, adapter::decode, BinanceAdapter::parse, BinanceAdapter::scan);
        assertThat(fastPathRead).isGreaterThan(1000);
    }
}
