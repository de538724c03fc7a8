package dev.nova.platform;

import java.util.function.Function;

/**
 * A strict pass over JSON text held in a String (RFC 8259 grammar: no comments, no unescaped control characters in
 * strings, only space, tab, CR and LF between tokens), allocating nothing but what it returns (it reads a copy of
 * the text in a per-thread buffer that it reuses), for the adapters' fast path on
 * market-data notifications: it finds the few fields a notification needs and skips, while checking, everything
 * else. Anything it does not handle simply (an escaped field name, a number too long for a {@code long}, deep
 * nesting, invalid JSON, and anything near Jackson's default read limits: long names, huge texts) ends the pass
 * with {@link #GIVE_UP}; the caller then decodes the frame with Jackson, which has the last word on every frame the
 * scanner declines. What the scanner accepts, Jackson accepts and reads the same way (the adapters' fast-path
 * tests check it on thousands of corrupted frames).
 *
 * <p>Why not Jackson alone: profiled at full ingest, Jackson's streaming parser (parser creation, tokenizing and
 * canonicalizing every field name) was the largest cost of handling a frame; the scanner reads the common frame
 * several times faster (BENCHMARKS.md). It is not a general parser: it returns no tokens, only positions. A thread
 * uses one scanner at a time (they share the thread's buffer).
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

    /** The largest copy a thread keeps for the next text (larger texts, rare, get a copy of their own). */
    private static final int MAX_KEPT_BUFFER = 1 << 16;

    /** Each thread's copy of the text being read, reused: reading a char[] is cheaper than String.charAt. */
    private static final ThreadLocal<char[]> BUFFER = ThreadLocal.withInitial(() -> new char[1024]);

    private final String text;
    private final char[] chars;
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
        char[] buffer = BUFFER.get();
        if (buffer.length < length) {
            buffer = new char[Math.max(length, buffer.length * 2)];
            if (buffer.length <= MAX_KEPT_BUFFER) {
                BUFFER.set(buffer);
            }
        }
        text.getChars(0, length, buffer, 0);
        this.chars = buffer;
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
        int start = plainStringEnd();
        return text.substring(start, at - 1);
    }

    /**
     * Reads a string value without escapes and tells whether it is {@code expected}, without making a String of it;
     * gives up on anything else.
     */
    public boolean stringIs(String expected) {
        int start = plainStringEnd();
        return at - 1 - start == expected.length() && text.startsWith(expected, start);
    }

    /** Reads a string without escapes up to and including its closing quote; returns where its content starts. */
    private int plainStringEnd() {
        expect('"');
        int start = at;
        int end = closingQuote(start);
        at = end + 1;
        return start;
    }

    /** The offset of the quote ending a string without escapes whose content starts at {@code from}; or gives up. */
    private int closingQuote(int from) {
        char[] cs = chars;
        int end = length;
        for (int i = from; i < end; i++) {
            char c = cs[i];
            if (c == '"') {
                return i;
            }
            if (c == '\\' || c < 0x20) {
                throw GIVE_UP;
            }
        }
        throw GIVE_UP;
    }

    /** Reads an integer value; gives up on a fraction, an exponent, anything not a number, or an overflow. */
    public long integer() {
        boolean negative = next() == '-';
        if (negative) {
            at++;
        }
        char[] cs = chars;
        int digitsStart = at;
        int i = digitsStart;
        long value = 0;
        while (i < length) {
            char d = cs[i];
            if (d < '0' || d > '9') {
                break;
            }
            value = value * 10 + (d - '0');
            i++;
        }
        at = i;
        int digits = i - digitsStart;
        if (digits == 0 || digits > 18 || (digits > 1 && cs[digitsStart] == '0')) {
            throw GIVE_UP;
        }
        if (i < length) {
            char after = cs[i];
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
            if (!whitespace(chars[at])) {
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
        keyEnd = closingQuote(at);
        if (keyEnd - keyStart > MAX_NAME_LENGTH) {
            throw GIVE_UP;
        }
        at = keyEnd + 1;
        expect(':');
    }

    private void skipString() {
        expect('"');
        char[] cs = chars;
        int end = length;
        int i = at;
        while (true) {
            if (i >= end) {
                throw GIVE_UP;
            }
            char c = cs[i++];
            if (c == '"') {
                at = i;
                return;
            }
            if (c < 0x20) {
                throw GIVE_UP;
            }
            if (c == '\\') {
                if (i >= end) {
                    throw GIVE_UP;
                }
                char e = cs[i++];
                if (e == 'u') {
                    if (i + 4 > end) {
                        throw GIVE_UP;
                    }
                    for (int k = 0; k < 4; k++) {
                        // ASCII hex digits only: Character.digit would also take other scripts' digits.
                        char h = cs[i++];
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
        if (at < length && Character.isLetterOrDigit(chars[at])) {
            throw GIVE_UP;
        }
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} */
    private void skipNumber() {
        char[] cs = chars;
        int start = at;
        if (at < length && cs[at] == '-') {
            at++;
        }
        int intStart = at;
        int intDigits = digits();
        if (intDigits == 0 || (intDigits > 1 && cs[intStart] == '0')) {
            throw GIVE_UP;
        }
        if (at < length && cs[at] == '.') {
            at++;
            if (digits() == 0) {
                throw GIVE_UP;
            }
        }
        if (at < length && (cs[at] == 'e' || cs[at] == 'E')) {
            at++;
            if (at < length && (cs[at] == '+' || cs[at] == '-')) {
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
        char[] cs = chars;
        int start = at;
        int i = start;
        while (i < length) {
            char c = cs[i];
            if (c < '0' || c > '9') {
                break;
            }
            i++;
        }
        at = i;
        return i - start;
    }

    /** Skips whitespace and returns the next character without consuming it; gives up at the end of the text. */
    private char next() {
        char[] cs = chars;
        int i = at;
        while (i < length) {
            char c = cs[i];
            if (!whitespace(c)) {
                at = i;
                return c;
            }
            i++;
        }
        at = i;
        throw GIVE_UP;
    }

    private static boolean whitespace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
