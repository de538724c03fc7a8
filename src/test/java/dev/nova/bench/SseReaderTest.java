package dev.nova.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The benchmark consumer's line matching: it decides the ingest figures, so it is tested like product code. */
class SseReaderTest {

    @Test
    void findsTheFirstLineFeedAtEveryPositionAndNoneWhereThereIsNone() {
        for (int length = 0; length < 40; length++) {
            byte[] bytes = new byte[length + 3];
            java.util.Arrays.fill(bytes, (byte) 'x');
            assertThat(SseReader.LineMatcher.newline(bytes, 1, length + 1)).isEqualTo(-1);
            for (int at = 1; at < length + 1; at++) {
                bytes[at] = '\n';
                bytes[length + 1] = '\n'; // past the end: never found
                assertThat(SseReader.LineMatcher.newline(bytes, 1, length + 1)).isEqualTo(at);
                bytes[at] = (byte) (at % 2 == 0 ? 0x8a : 0x0b); // neighbours of a line feed in the bit tricks
                assertThat(SseReader.LineMatcher.newline(bytes, 1, length + 1)).isEqualTo(-1);
                bytes[at] = 'x';
            }
        }
    }

    @Test
    void countsMessageEventsHoweverTheStreamIsCutAndNotesADrop() {
        Random random = new Random(7);
        StringBuilder stream = new StringBuilder(": keep-alive\n\n");
        int messages = 0;
        for (int i = 0; i < 2_000; i++) {
            if (random.nextInt(10) == 0) {
                stream.append("event: cluster\ndata: {\"type\":\"event: message\"}\n\n");
            } else {
                messages++;
                stream.append("event: message\nid: ")
                        .append(i)
                        .append("\ndata: {\"data\":\"")
                        .append("é€".repeat(random.nextInt(30)))
                        .append("event: message\\n\"}\n\n");
            }
        }
        byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
        for (int cut : new int[] {1, 7, 8, 9, 63, 4096, bytes.length}) {
            SseReader.LineMatcher lines = new SseReader.LineMatcher();
            long found = 0;
            for (int from = 0; from < bytes.length; from += cut) {
                found += lines.scan(bytes, from, Math.min(bytes.length, from + cut));
            }
            assertThat(found).as("cut every %d bytes", cut).isEqualTo(messages);
            assertThat(lines.dropped).isFalse();
        }

        SseReader.LineMatcher lines = new SseReader.LineMatcher();
        byte[] dropped = "event: message\ndata: {}\n\nevent: dropped\ndata: {}\n\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(lines.scan(dropped, 0, dropped.length)).isEqualTo(1);
        assertThat(lines.dropped).isTrue();
    }
}
