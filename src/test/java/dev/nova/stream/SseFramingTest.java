package dev.nova.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The text of SSE events as Nova writes them (WHATWG HTML, "Server-sent events"). */
class SseFramingTest {

    private static String frame(SseConsumer.Item item) {
        StringBuilder out = new StringBuilder();
        SseConsumer.frame(out, item);
        return out.toString();
    }

    @Test
    void anEventHasItsNameIdAndOneDataLine() {
        assertThat(frame(new SseConsumer.Item("message", "42", "{\"a\":1}")))
                .isEqualTo("event: message\nid: 42\ndata: {\"a\":1}\n\n");
        assertThat(frame(new SseConsumer.Item("nova.cluster.node.left", null, "{}")))
                .isEqualTo("event: nova.cluster.node.left\ndata: {}\n\n");
    }

    @Test
    void lineBreaksInDataBecomeDataLinesSoTheEventCannotBeSplit() {
        assertThat(frame(new SseConsumer.Item("message", null, "{\"a\":\n1,\r\n\"b\":\r2}")))
                .isEqualTo("event: message\ndata: {\"a\":\ndata: 1,\ndata: \"b\":\ndata: 2}\n\n");
    }

    @Test
    void aKeepAliveIsAComment() {
        assertThat(frame(SseConsumer.Item.KEEP_ALIVE)).isEqualTo(": keep-alive\n\n");
    }
}
