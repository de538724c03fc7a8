package dev.nova.platform.deribit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.platform.FastPathCheck;
import dev.nova.platform.InboundFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scanner's fast path for notifications against Jackson's full decode: the fast path reads the frames Deribit
 * sends, and for any frame at all (valid or not) the adapter's answer is Jackson's.
 */
class DeribitFastPathTest {

    private static final String BOOK_CHANGE =
            "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
                    + "\"book.BTC-PERPETUAL.100ms\",\"data\":{\"type\":\"change\",\"timestamp\":1554373911330,"
                    + "\"prev_change_id\":297217,\"instrument_name\":\"BTC-PERPETUAL\",\"change_id\":297218,"
                    + "\"bids\":[[\"delete\",5041.94,0],[\"change\",5042.34,1.5e2]],\"asks\":[]}}}";
    private static final String BOOK_SNAPSHOT = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":"
            + "{\"channel\":\"book.ETH-PERPETUAL.raw\",\"data\":{\"type\":\"snapshot\",\"timestamp\":1,"
            + "\"instrument_name\":\"ETH-PERPETUAL\",\"change_id\":7,\"bids\":[[\"new\",5042.34,30.0]],"
            + "\"asks\":[[\"new\",5042.64,40.0]]}}}";
    private static final String TRADES = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            + "\"trades.BTC-PERPETUAL.raw\",\"data\":[{\"trade_seq\":30289432,\"trade_id\":\"48079254\","
            + "\"timestamp\":1590484156350,\"tick_direction\":0,\"price\":8950,\"mark_price\":8948.9,"
            + "\"instrument_name\":\"BTC-PERPETUAL\",\"index_price\":8955.88,\"direction\":\"sell\",\"amount\":10},"
            + "{\"trade_seq\":30289433,\"trade_id\":\"48079255\",\"liquidation\":null,\"block\":false,"
            + "\"amount\":-0.5}]}}";
    private static final String KIND_TRADES = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":"
            + "{\"channel\":\"trades.future.BTC.raw\",\"data\":[{\"trade_seq\":5,\"amount\":1}]}}";
    private static final String TICKER = "{\"params\":{\"data\":{\"timestamp\":1,\"stats\":{\"volume\":5.6,"
            + "\"high\":null},\"state\":\"open\",\"instrument_name\":\"BTC-PERPETUAL\",\"note\":"
            + "\"caf\\u00e9 \\\"quoted\\\" \\\\ \\/ \\n\",\"best_bid_price\":5042.34},\"channel\":"
            + "\"ticker.BTC-PERPETUAL.100ms\"},\"method\":\"subscription\",\"jsonrpc\":\"2.0\"}";
    private static final String INDEX = " {\n \"jsonrpc\" : \"2.0\" ,\r\n\t\"method\":\"subscription\", \"params\":{"
            + "\"channel\":\"deribit_price_index.btc_usd\", \"data\" : {\"price\":5042.5,\"index_name\":\"btc_usd\","
            + "\"label\":\"Zürich €\"} } }  ";
    private static final String SCALAR_DATA = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":"
            + "{\"channel\":\"platform_state\",\"data\":\"maintenance\"}}";

    private static final List<String> NOTIFICATIONS =
            List.of(BOOK_CHANGE, BOOK_SNAPSHOT, TRADES, KIND_TRADES, TICKER, INDEX, SCALAR_DATA);

    private static final List<String> OTHER_FRAMES = List.of(
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":[\"book.BTC-PERPETUAL.100ms\"]}",
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"error\":{\"code\":10028,\"message\":\"too_many_requests\"}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"test_request\"}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"id\":3,\"params\":{\"channel\":\"x\",\"data\":1}}");

    private final DeribitAdapter adapter = new DeribitAdapter();

    @Test
    void theFastPathReadsNotificationsAsJacksonDoes() {
        for (String frame : NOTIFICATIONS) {
            InboundFrame.Notification fast = DeribitAdapter.scan(frame);
            assertThat(fast).as(frame).isNotNull().isEqualTo(DeribitAdapter.parse(frame));
        }
        InboundFrame.Notification trades = DeribitAdapter.scan(TRADES);
        assertThat(trades.sequence()).isEqualTo(30289433);
        assertThat(trades.previous()).isEqualTo(30289431);
        assertThat(DeribitAdapter.scan(BOOK_SNAPSHOT).snapshot()).isTrue();
        assertThat(DeribitAdapter.scan(KIND_TRADES).sequenced()).isFalse();
        assertThat(DeribitAdapter.scan(INDEX).data()).endsWith("\"Zürich €\"}");
    }

    @Test
    void otherFramesAreLeftToJackson() {
        for (String frame : OTHER_FRAMES) {
            assertThat(DeribitAdapter.scan(frame)).as(frame).isNull();
            assertThat(adapter.decode(frame)).as(frame).isEqualTo(DeribitAdapter.parse(frame));
        }
    }

    @Test
    void escapedNamesAndUnusualValuesAreLeftToJackson() {
        // Jackson refuses an escape whose "hex digits" are another script's digits.
        String otherDigits = TICKER.replace("caf\\u00e9", "caf\\u00\u0660\uFF10");
        List<String> unusual = List.of(
                BOOK_CHANGE.replace("\"change_id\":297218", "\"change_id\":297218.0"),
                BOOK_CHANGE.replace("\"change_id\":297218", "\"change_id\":12345678901234567890"),
                BOOK_CHANGE.replace("book.BTC-PERPETUAL.100ms", "book.BTC\\u002dPERPETUAL.100ms"),
                TRADES.replace("\"trade_seq\":30289433", "\"trade_seq\":\"30289433\""),
                BOOK_CHANGE + " trailing",
                BOOK_CHANGE.replace("{\"type\"", "{\"ty\\u0070e\""),
                "[1,2]",
                otherDigits,
                BOOK_CHANGE.replace("\"asks\":[]", "\"asks\":[],\"" + "k".repeat(50_001) + "\":1"),
                BOOK_CHANGE.replace("\"asks\":[]", "\"asks\":[],\"big\":{\"" + "k".repeat(50_001) + "\":1}"),
                BOOK_CHANGE.replace("\"asks\":[]", "\"asks\":[],\"note\":\"" + "x".repeat(1_000_001) + "\""),
                "{\"method\":\"subscription\",\"params\":{\"channel\":\"a\",\"data\":" + "[".repeat(100)
                        + "]".repeat(100) + "}}");
        for (String frame : unusual) {
            assertThat(adapter.decode(frame))
                    .as(frame.length() > 200 ? frame.substring(0, 200) : frame)
                    .isEqualTo(DeribitAdapter.parse(frame));
        }
        assertThat(adapter.decode(otherDigits)).isInstanceOf(InboundFrame.Unrecognized.class);
    }

    /** Thousands of corrupted frames: whatever the fast path makes of them, the adapter answers as Jackson does. */
    @Test
    void anyCorruptionOfAFrameIsDecodedAsJacksonDecodesIt() {
        List<String> frames = new ArrayList<>(NOTIFICATIONS);
        frames.addAll(OTHER_FRAMES);
        int fastPathRead = FastPathCheck.corruptionsDecodeAsJackson(
                frames, 3000, adapter::decode, DeribitAdapter::parse, DeribitAdapter::scan);
        // The corruptions that keep a frame valid (a digit changed inside a price, say) still take the fast path.
        assertThat(fastPathRead).isGreaterThan(1000);
    }
}
