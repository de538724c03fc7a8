package dev.nova.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bytes of SSE events as Nova writes them (WHATWG HTML, "Server-sent events"). */
class SseFramingTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The message event as the general path frames it: the JSON of the message, then the SSE event around it. */
    private static String general(MarketMessage message) {
        return text(SseFrames.event(
                "message",
                message.sequenced() ? Long.toString(message.sequence()) : null,
                MarketMessageJson.encode(message)));
    }

    @Test
    void anEventHasItsNameIdAndOneDataLine() {
        assertThat(text(SseFrames.event("message", "42", "{\"a\":1}")))
                .isEqualTo("event: message\nid: 42\ndata: {\"a\":1}\n\n");
        assertThat(text(SseFrames.event("nova.cluster.node.left", null, "{}")))
                .isEqualTo("event: nova.cluster.node.left\ndata: {}\n\n");
    }

    @Test
    void lineBreaksInDataBecomeDataLinesSoTheEventCannotBeSplit() {
        assertThat(text(SseFrames.event("message", null, "{\"a\":\n1,\r\n\"b\":\r2}")))
                .isEqualTo("event: message\ndata: {\"a\":\ndata: 1,\ndata: \"b\":\ndata: 2}\n\n");
    }

    @Test
    void aKeepAliveIsAComment() {
        assertThat(text(SseFrames.KEEP_ALIVE)).isEqualTo(": keep-alive\n\n");
    }

    @Test
    void aMarketMessageIsItsSequenceAsIdAndItsJsonAsData() {
        MarketMessage message = new MarketMessage(
                "c1", "trades.BTC-PERPETUAL.raw", 42, 41, 1_700_000_000_123L, false, "[{\"trade_seq\":42}]");
        assertThat(text(SseFrames.message(message)))
                .isEqualTo("event: message\nid: 42\ndata: {\"channel\":\"trades.BTC-PERPETUAL.raw\",\"client\":\"c1\","
                        + "\"sequence\":42,\"receivedAt\":1700000000123,\"gap\":false,"
                        + "\"data\":[{\"trade_seq\":42}]}\n\n");
    }

    @Test
    void theDirectFramingOfAMessageIsTheGeneralOneByteForByte() {
        long[] sequences = {
            MarketMessage.NO_SEQUENCE, 0, 9, 10, 99, 1_000_000, Long.MAX_VALUE, -1, -10, Long.MIN_VALUE + 1
        };
        String[] data = {"{}", "[{\"p\":\"5042.50\"}]", "{\"name\":\"Zürich €\",\"emoji\":\"\uD83D\uDE80\"}", "\"\""};
        for (long sequence : sequences) {
            for (String payload : data) {
                for (boolean gap : new boolean[] {false, true}) {
                    // Receive times that change from one message to the next: the formatted time is cached.
                    long receivedAt = gap ? 1_732_000_000_000L : 999L + sequence % 7;
                    MarketMessage message = new MarketMessage(
                            "client-1", "book.ETH-PERPETUAL.100ms", sequence, sequence - 1, receivedAt, gap, payload);
                    assertThat(text(SseFrames.message(message)))
                            .as("sequence %d, data %s, gap %s", sequence, payload, gap)
                            .isEqualTo(general(message));
                }
            }
        }
    }

    @Test
    void namesThatNeedEscapingAndDataOverSeveralLinesTakeTheGeneralPath() {
        MarketMessage quoted = new MarketMessage("we\"ird", "a\\b", 1, 0, 5L, false, "{}");
        assertThat(text(SseFrames.message(quoted))).isEqualTo(general(quoted)).contains("we\\\"ird", "a\\\\b");
        MarketMessage lines = new MarketMessage("c", "x", 1, 0, 5L, false, "{\"a\":\n1}");
        assertThat(text(SseFrames.message(lines))).isEqualTo(general(lines)).contains("data: 1}}\n\n");
    }

    @Test
    void digitsCountsTheSignToo() {
        assertThat(SseFrames.digits(0)).isEqualTo(1);
        assertThat(SseFrames.digits(9)).isEqualTo(1);
        assertThat(SseFrames.digits(10)).isEqualTo(2);
        assertThat(SseFrames.digits(-10)).isEqualTo(3);
        assertThat(SseFrames.digits(Long.MAX_VALUE))
                .isEqualTo(Long.toString(Long.MAX_VALUE).length());
        assertThat(SseFrames.digits(999_999_999_999_999_999L)).isEqualTo(18);
        assertThat(SseFrames.digits(1_000_000_000_000_000_000L)).isEqualTo(19);
        assertThat(SseFrames.digits(Long.MIN_VALUE))
                .isEqualTo(Long.toString(Long.MIN_VALUE).length());
    }

    @Test
    void digitsAgreesWithLongToStringAroundEveryPowerOfTwoAndTen() {
        List<Long> values = new ArrayList<>();
        for (int bit = 0; bit < 63; bit++) {
            values.add(1L << bit);
        }
        for (long power = 1; power > 0 && power <= Long.MAX_VALUE / 10; power *= 10) {
            values.add(power);
            values.add(power * 10);
        }
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            values.add(random.nextLong() >>> random.nextInt(64));
        }
        for (long value : values) {
            for (long v : new long[] {value - 1, value, value + 1, -(value - 1), -value, -(value + 1)}) {
                assertThat(SseFrames.digits(v))
                        .as("digits of %d", v)
                        .isEqualTo(Long.toString(v).length());
            }
        }
    }
}
