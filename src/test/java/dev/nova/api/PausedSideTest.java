package dev.nova.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

class PausedSideTest {

    @Test
    void anObjectIsMarkedStale() {
        JsonValue marked =
                PausedSide.marked(Json.createObjectBuilder().add("name", "c1").build());

        assertThat(marked.asJsonObject().getBoolean("stale")).isTrue();
        assertThat(marked.asJsonObject().getString("name")).isEqualTo("c1");
    }

    @Test
    void everyObjectOfAnArrayIsMarkedStale() {
        JsonValue list = Json.createArrayBuilder()
                .add(Json.createObjectBuilder().add("name", "c1"))
                .add(Json.createObjectBuilder().add("name", "c2"))
                .build();

        assertThat(PausedSide.marked(list).asJsonArray()).hasSize(2).allMatch(element -> element.asJsonObject()
                .getBoolean("stale"));
    }
}
