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
     * Reads the value the parser is positioned on and returns its raw JSON text, cut out of {@code source}
     * unchanged: objects and arrays whole, strings with their quotes and escapes, numbers and literals as written.
     */
    public static String rawValue(JsonParser parser, String source) throws IOException {
        int start = (int) parser.currentTokenLocation().getCharOffset();
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            parser.skipChildren();
        } else {
            parser.finishToken();
        }
        int end = (int) parser.currentLocation().getCharOffset();
        return source.substring(start, end);
    }

    /** The current value's text when it is a scalar; a structure is skipped and gives null. */
    public static String text(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            parser.skipChildren();
            return null;
        }
        return token == JsonToken.VALUE_NULL ? null : parser.getText();
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
