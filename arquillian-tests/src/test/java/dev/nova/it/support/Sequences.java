package dev.nova.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a consumer of market data must see across moves of its clients: per channel, no gap and no duplicate. */
public final class Sequences {

    private Sequences() {}

    /**
     * Asserts that each channel's messages among {@code received} are consecutive, none flagged as a gap, and that
     * each channel delivered at least {@code atLeast} (a stream dropped early would not).
     */
    public static Map<String, List<Long>> assertConsecutive(List<SseStream.Event> received, int atLeast) {
        Map<String, List<Long>> sequences = new HashMap<>();
        for (SseStream.Event event : received) {
            JsonNode message = event.json();
            assertThat(message.path("gap").asBoolean()).as(event.data()).isFalse();
            sequences
                    .computeIfAbsent(message.path("channel").asText(), c -> new ArrayList<>())
                    .add(message.path("sequence").asLong());
        }
        sequences.forEach((channel, seen) -> {
            assertThat(seen.size()).as("messages of %s", channel).isGreaterThanOrEqualTo(atLeast);
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i))
                        .as("%s: sequence after %s", channel, seen.get(i - 1))
                        .isEqualTo(seen.get(i - 1) + 1);
            }
        });
        return sequences;
    }
}
