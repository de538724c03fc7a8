package dev.nova.platform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.util.Collection;
import java.util.Iterator;

/**
 * Small JSON helpers shared by the adapters: one thread-safe Jackson streaming factory (chosen by measurement:
 * streaming decode is about twice as fast as binding on this path), string quoting, and cutting a value's raw
 * text out of a frame so payloads are passed on without re-encoding.
 */
public final class Json {

    /** Shared, thread-safe parser factory. */
    public static final JsonFactory FACTORY = new JsonFactory();

    private Json() {}

    /** Appends {@code value} as a quoted, escaped JSON string. */
    public static StringBuilder appendQuoted(StringBuilder out, String value) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, out);
        return out.append('"');
    }

    /** Appends {@code values} as a JSON array of strings. */
    public static StringBuilder appendStringArray(StringBuilder out, Collection<String> values) {
        out.append('[');
        Iterator<String> it = values.iterator();
        while (it.hasNext()) {
            appendQuoted(out, it.next());
            if (it.hasNext()) {
                out.append(',');
            }
        }
        return out.append(']');
    }

    /**
     * Reads the value the parser is positioned on and returns its raw text: objects and arrays are cut out of
     * {@code source} unchanged, scalars are returned as their text ({@code "null"} for null).
     */
    public static String rawValue(JsonParser parser, String source) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            int start = (int) parser.currentTokenLocation().getCharOffset();
            parser.skipChildren();
            int end = (int) parser.currentLocation().getCharOffset();
            return source.substring(start, end);
        }
        return token == JsonToken.VALUE_NULL ? "null" : parser.getText();
    }

    /** The current value as a long, or {@code fallback} when it is not an integral number. */
    public static long longValue(JsonParser parser, long fallback) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return parser.getLongValue();
        }
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            parser.skipChildren();
        }
        return fallback;
    }
}
