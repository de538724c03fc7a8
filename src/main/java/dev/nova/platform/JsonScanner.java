package dev.nova.platform;

import java.util.function.Function;

/**
 * A strict pass over JSON text held in a String, allocating nothing but what it returns (RFC 8259 grammar: no
 * comments, no unescaped control characters in strings, only space, tab, CR and LF between tokens), for the adapters' fast path on
 * market-data notifications: it finds the few fields a notification needs and skips, while checking, everything
 * else. Anything it does not handle simply (an escaped field name, a number too long for a {@code long}, deep
 * nesting, invalid JSON, and anything near Jackson's default read limits: long names, huge texts) ends the pass
 * with {@link #GIVE_UP}; the caller then decodes the frame with Jackson, which has the last word on every frame the
 * scanner declines. What the scanner accepts, Jackson accepts and reads the same way (the adapters' fast-path
 * tests check it on thousands of corrupted frames).
 *
 * <p>Why not Jackson alone: profiled at full ingest, Jackson's streaming parser (parser creation, tokenizing and
 * canonicalizing every field name) was the largest cost on the reading thread; the scanner reads the common frame
 * several times faster (BENCHMARKS.md). It is not a general parser: it returns no tokens, only positions.
 */
public final class JsonScanner {

    /** Thrown to abandon the fast path; carries no stack trace, and there is only one. */
    public static final class GiveUp extends RuntimeException {
        private GiveUp() {
            super("the fast path gives up on this frame", null, false, false);
        }
    }

    public static final GiveUp GIVE_UP = new GiveUp();

    /** Deeper structures are left to Jackson (its own limit is far higher). */
    private static final int MAX_DEPTH = 64;

    /** Longer numbers are left to Jackson (its own limit is 1,000 digits). */
    private static final int MAX_NUMBER_LENGTH = 64;

    /** Longer field names are left to Jackson (it refuses names over 50,000 characters). */
    private static final int MAX_NAME_LENGTH = 1_000;

    /** Longer texts are left to Jackson (it refuses strings over 20,000,000 characters). */
    private static final int MAX_TEXT_LENGTH = 1_000_000;

    private final String text;
    private final int length;
    private int at;
    private int keyStart;
    private int keyEnd;

    /** Gives up at once on a text longer than {@value #MAX_TEXT_LENGTH} characters (or null). */
    public JsonScanner(String text) {
        if (text == null || text.length() > MAX_TEXT_LENGTH) {
            throw GIVE_UP;
        }
        this.text = text;
        this.length = text.length();
    }

    /**
     * The fast path's reading of {@code text}, or the full one's when the fast path has none (null) or gives up. The
     * adapters' decode: a scanner for the common frame, Jackson for everything else.
     */
    public static <T> T fastOrFull(String text, Function<String, ? extends T> fast, Function<String, T> full) {
        try {
            T read = fast.apply(text);
            if (read != null) {
                return read;
            }
        } catch (GiveUp unusual) {
            // the full reading decides
        }
        return full.apply(text);
    }

    /** Where the scanner is: the offset of the next character to read. */
    public int position() {
        return at;
    }

    /** Consumes {@code c} after optional whitespace, or gives up. */
    public void expect(char c) {
        if (next() != c) {
            throw GIVE_UP;
        }
        at++;
    }

    /**
     * Right after an object's {@code {}: whether a field follows. Reads its name (see {@link #keyIs}) and the colon.
     */
    public boolean firstField() {
        if (next() == '}') {
            at++;
            return false;
        }
        readKey();
        return true;
    }

    /** After a field's value: whether another field follows (read as in {@link #firstField}) or the object ended. */
    public boolean nextField() {
        if (!more('}')) {
            return false;
        }
        readKey();
        return true;
    }

    /** Right after an array's {@code [}: whether an element follows. */
    public boolean firstElement() {
        if (next() == ']') {
            at++;
            return false;
        }
        return true;
    }

    /** After an element: whether another one follows or the array ended. */
    public boolean nextElement() {
        return more(']');
    }

    /** Whether the field name just read is {@code name}. */
    public boolean keyIs(String name) {
        return keyEnd - keyStart == name.length() && text.startsWith(name, keyStart);
    }

    /** The first character of the next value (after whitespace), without consuming it. */
    public char peek() {
        return next();
    }

    /** Reads a string value without escapes and returns it; gives up on anything else. */
    public String plainString() {
        expect('"');
        int start = at;
        while (true) {
            if (at >= length) {
                throw GIVE_UP;
            }
            char c = text.charAt(at);
            if (c == '"') {
                String value = text.substring(start, at);
                at++;
                return value;
            }
            if (c == '\\' || c < 0x20) {
                throw GIVE_UP;
            }
            at++;
        }
    }

    /** Reads an integer value; gives up on a fraction, an exponent, anything not a number, or an overflow. */
    public long integer() {
        boolean negative = next() == '-';
        if (negative) {
            at++;
        }
        int digitsStart = at;
        long value = 0;
        while (at < length) {
            char d = text.charAt(at);
            if (d < '0' || d > '9') {
                break;
            }
            value = value * 10 + (d - '0');
            at++;
        }
        int digits = at - digitsStart;
        if (digits == 0 || digits > 18 || (digits > 1 && text.charAt(digitsStart) == '0')) {
            throw GIVE_UP;
        }
        if (at < length) {
            char after = text.charAt(at);
            if (after == '.' || after == 'e' || after == 'E') {
                throw GIVE_UP;
            }
        }
        return negative ? -value : value;
    }

    /** Skips one value of any kind, checking it. */
    public void skipValue() {
        skipValue(0);
    }

    /** After the top-level value: gives up unless only whitespace is left. */
    public void end() {
        while (at < length) {
            if (!whitespace(text.charAt(at))) {
                throw GIVE_UP;
            }
            at++;
        }
    }

    private void skipValue(int depth) {
        char c = next();
        switch (c) {
            case '{' -> {
                if (depth >= MAX_DEPTH) {
                    throw GIVE_UP;
                }
                at++;
                if (next() == '}') {
                    at++;
                    return;
                }
                do {
                    int name = next() == '"' ? at : -1;
                    skipString();
                    if (name < 0 || at - name > MAX_NAME_LENGTH) {
                        throw GIVE_UP;
                    }
                    expect(':');
                    skipValue(depth + 1);
                } while (more('}'));
            }
            case '[' -> {
                if (depth >= MAX_DEPTH) {
                    throw GIVE_UP;
                }
                at++;
                if (next() == ']') {
                    at++;
                    return;
                }
                do {
                    skipValue(depth + 1);
                } while (more(']'));
            }
            case '"' -> skipString();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> skipNumber();
        }
    }

    /** After a member or element: true on a comma, false on {@code close}; gives up on anything else. */
    private boolean more(char close) {
        char c = next();
        at++;
        if (c == ',') {
            return true;
        }
        if (c != close) {
            throw GIVE_UP;
        }
        return false;
    }

    private void readKey() {
        expect('"');
        keyStart = at;
        while (true) {
            if (at >= length) {
                throw GIVE_UP;
            }
            char c = text.charAt(at);
            if (c == '"') {
                break;
            }
            if (c == '\\' || c < 0x20) {
                throw GIVE_UP;
            }
            at++;
        }
        keyEnd = at;
        if (keyEnd - keyStart > MAX_NAME_LENGTH) {
            throw GIVE_UP;
        }
        at++;
        expect(':');
    }

    private void skipString() {
        expect('"');
        while (true) {
            if (at >= length) {
                throw GIVE_UP;
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return;
            }
            if (c < 0x20) {
                throw GIVE_UP;
            }
            if (c == '\\') {
                if (at >= length) {
                    throw GIVE_UP;
                }
                char e = text.charAt(at++);
                if (e == 'u') {
                    if (at + 4 > length) {
                        throw GIVE_UP;
                    }
                    for (int i = 0; i < 4; i++) {
                        // ASCII hex digits only: Character.digit would also take other scripts' digits.
                        char h = text.charAt(at++);
                        if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
                            throw GIVE_UP;
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    throw GIVE_UP;
                }
            }
        }
    }

    private void literal(String word) {
        if (!text.startsWith(word, at)) {
            throw GIVE_UP;
        }
        at += word.length();
        if (at < length && Character.isLetterOrDigit(text.charAt(at))) {
            throw GIVE_UP;
        }
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} */
    private void skipNumber() {
        int start = at;
        if (at < length && text.charAt(at) == '-') {
            at++;
        }
        int intStart = at;
        int intDigits = digits();
        if (intDigits == 0 || (intDigits > 1 && text.charAt(intStart) == '0')) {
            throw GIVE_UP;
        }
        if (at < length && text.charAt(at) == '.') {
            at++;
            if (digits() == 0) {
                throw GIVE_UP;
            }
        }
        if (at < length && (text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
            at++;
            if (at < length && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
                at++;
            }
            if (digits() == 0) {
                throw GIVE_UP;
            }
        }
        if (at - start > MAX_NUMBER_LENGTH) {
            throw GIVE_UP;
        }
    }

    private int digits() {
        int start = at;
        while (at < length) {
            char c = text.charAt(at);
            if (c < '0' || c > '9') {
                break;
            }
            at++;
        }
        return at - start;
    }

    /** Skips whitespace and returns the next character without consuming it; gives up at the end of the text. */
    private char next() {
        while (at < length) {
            char c = text.charAt(at);
            if (!whitespace(c)) {
                return c;
            }
            at++;
        }
        throw GIVE_UP;
    }

    private static boolean whitespace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
