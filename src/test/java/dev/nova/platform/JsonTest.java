package dev.nova.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Raw values are cut out of frames unchanged, whatever their kind. */
class JsonTest {

    private static String rawOf(String value) throws Exception {
        String source = "{\"k\":" + value + ",\"after\":1}";
        try (JsonParser parser = Json.FACTORY.createParser(source)) {
            parser.nextToken();
            parser.nextToken();
            parser.nextToken();
            String raw = Json.rawValue(parser, source);
            assertThat(parser.nextToken()).isEqualTo(JsonToken.FIELD_NAME);
            assertThat(parser.currentName()).isEqualTo("after");
            return raw;
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"plain\"",
                "\"quote \\\" and backslash \\\\ and \\u00e9 and \\n\"",
                "\"é € 𝄞\"",
                "12",
                "-0.5e-3",
                "true",
                "null",
                "[]",
                "[1,[2,[3]],{\"a\":\"]\"}]",
                "{\"nested\":{\"s\":\"}\"}}"
            })
    void cutsTheValueExactlyAsWritten(String value) throws Exception {
        assertThat(rawOf(value)).isEqualTo(value);
    }

    @Test
    void textSkipsStructures() throws Exception {
        String source = "{\"a\":{\"b\":1},\"c\":\"d\"}";
        try (JsonParser parser = Json.FACTORY.createParser(source)) {
            parser.nextToken();
            parser.nextToken();
            parser.nextToken();
            assertThat(Json.text(parser)).isNull();
            parser.nextToken();
            parser.nextToken();
            assertThat(Json.text(parser)).isEqualTo("d");
        }
    }
}
