package dev.nova.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WsFramesTest {

    /** One frame as sent by a server (unmasked): FIN, opcode, payload. */
    private record Frame(boolean fin, int opcode, byte[] payload) {}

    private static List<Frame> parse(byte[] bytes) {
        List<Frame> frames = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            boolean fin = (bytes[at] & 0x80) != 0;
            int opcode = bytes[at] & 0x0F;
            int length = bytes[at + 1] & 0x7F;
            at += 2;
            if (length == 126) {
                length = ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
                at += 2;
            }
            byte[] payload = new byte[length];
            System.arraycopy(bytes, at, payload, 0, length);
            at += length;
            frames.add(new Frame(fin, opcode, payload));
        }
        return frames;
    }

    @Test
    void aLongTextIsSentAsATextFrameAndContinuationsSplitEvenInsideCharacters() {
        String text = "prix d\u00e9j\u00e0 \u20ac \ud83d\ude80";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);

        List<Frame> frames = parse(WsFrames.text(text, 3));

        assertThat(frames).hasSize((utf8.length + 2) / 3);
        assertThat(frames.get(0).opcode()).isEqualTo(WsFrames.TEXT);
        assertThat(frames.subList(1, frames.size())).allMatch(f -> f.opcode() == WsFrames.CONTINUATION);
        assertThat(frames).allMatch(f -> f.payload().length <= 3);
        assertThat(frames.subList(0, frames.size() - 1)).noneMatch(Frame::fin);
        assertThat(frames.get(frames.size() - 1).fin()).isTrue();
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        frames.forEach(f -> joined.writeBytes(f.payload()));
        assertThat(joined.toByteArray()).isEqualTo(utf8);
        // Some fragment boundary falls inside a multi-byte character.
        assertThat(frames).anyMatch(f -> (f.payload()[0] & 0xC0) == 0x80);
    }

    @Test
    void aTextThatFitsOrNoFragmentSizeIsOneFrame() {
        assertThat(parse(WsFrames.text("abc", 3))).singleElement().matches(f -> f.fin() && f.opcode() == WsFrames.TEXT);
        assertThat(parse(WsFrames.text("a".repeat(300), 0)))
                .singleElement()
                .matches(f -> f.fin() && f.payload().length == 300);
    }
}
