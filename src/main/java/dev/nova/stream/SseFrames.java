package dev.nova.stream;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of SSE events (WHATWG HTML, "Server-sent events") as Nova writes them. A market message is framed once,
 * on the thread handling the frame, straight into an array of its exact size: the same array then goes to every consumer of
 * the channel and into their batched writes without being copied or re-encoded. Measured: building the JSON, then
 * the SSE text, then its UTF-8 bytes, was a third of the node's allocation at full ingest.
 */
final class SseFrames {

    /** A comment line: keeps idle connections (and proxies) from timing out, ignored by SSE clients. */
    static final byte[] KEEP_ALIVE = ascii(": keep-alive\n\n");

    private static final byte[] MESSAGE = ascii("event: message\n");
    private static final byte[] ID = ascii("id: ");
    private static final byte[] CHANNEL = ascii("data: {\"channel\":\"");
    private static final byte[] CLIENT = ascii("\",\"client\":\"");
    private static final byte[] SEQUENCE = ascii("\",\"sequence\":");
    private static final byte[] NULL = ascii("null");
    private static final byte[] RECEIVED_AT = ascii(",\"receivedAt\":");
    private static final byte[] GAP_TRUE = ascii(",\"gap\":true,\"data\":");
    private static final byte[] GAP_FALSE = ascii(",\"gap\":false,\"data\":");
    private static final byte[] END = ascii("}\n\n");

    private SseFrames() {}

    /**
     * The {@code message} event of a market message: its sequence as the event id, its JSON ({@link
     * MarketMessageJson}) as the data.
     */
    static byte[] message(MarketMessage message) {
        String data = message.data();
        if (!plain(message.channel())
                || !plain(message.client())
                || data.indexOf('\n') >= 0
                || data.indexOf('\r') >= 0) {
            // Names that need escaping, or data that spans lines: the general path.
            return event(
                    "message",
                    message.sequenced() ? Long.toString(message.sequence()) : null,
                    MarketMessageJson.encode(message));
        }
        byte[] payload = data.getBytes(StandardCharsets.UTF_8);
        byte[] receivedAtDigits = millisDigits(message.receivedAt());
        int length = MESSAGE.length
                + CHANNEL.length
                + message.channel().length()
                + CLIENT.length
                + message.client().length()
                + SEQUENCE.length
                + RECEIVED_AT.length
                + receivedAtDigits.length
                + (message.gap() ? GAP_TRUE.length : GAP_FALSE.length)
                + payload.length
                + END.length;
        if (message.sequenced()) {
            int digits = digits(message.sequence());
            length += ID.length + digits + 1 + digits;
        } else {
            length += NULL.length;
        }
        byte[] out = new byte[length];
        int at = put(out, 0, MESSAGE);
        int idAt = at + ID.length;
        int idDigits = 0;
        if (message.sequenced()) {
            at = put(out, at, ID);
            at = putLong(out, at, message.sequence());
            idDigits = at - idAt;
            out[at++] = '\n';
        }
        at = put(out, at, CHANNEL);
        at = putAscii(out, at, message.channel());
        at = put(out, at, CLIENT);
        at = putAscii(out, at, message.client());
        at = put(out, at, SEQUENCE);
        if (message.sequenced()) {
            // The sequence again, as already written for the id.
            System.arraycopy(out, idAt, out, at, idDigits);
            at += idDigits;
        } else {
            at = put(out, at, NULL);
        }
        at = put(out, at, RECEIVED_AT);
        at = put(out, at, receivedAtDigits);
        at = put(out, at, message.gap() ? GAP_TRUE : GAP_FALSE);
        at = put(out, at, payload);
        put(out, at, END);
        return out;
    }

    /** A named event with an optional id; data with line breaks becomes several data lines. */
    static byte[] event(String name, String id, String data) {
        StringBuilder out = new StringBuilder(32 + data.length());
        out.append("event: ").append(name).append('\n');
        if (id != null) {
            out.append("id: ").append(id).append('\n');
        }
        if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) {
            out.append("data: ").append(data).append('\n');
        } else {
            for (String line : data.split("\r\n|\r|\n", -1)) {
                out.append("data: ").append(line).append('\n');
            }
        }
        return out.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Printable ASCII that JSON needs no escape for: copied byte for byte. */
    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /** Copies a {@link #plain} string: one char is one byte, so the JDK's bulk copy of low bytes is exact. */
    @SuppressWarnings("deprecation")
    private static int putAscii(byte[] out, int at, String value) {
        value.getBytes(0, value.length(), out, at);
        return at + value.length();
    }

    /** A time in epoch milliseconds and its decimal digits. */
    private record Millis(long value, byte[] digits) {}

    /**
     * The last time formatted, shared by every thread: messages arrive hundreds to a millisecond, so most find their
     * receive time already formatted (formatting it each time was measured on the ingest path). Read racily: a
     * thread sees some complete record (final fields), at worst not the latest one.
     */
    private static Millis lastMillis = new Millis(0, ascii("0"));

    private static byte[] millisDigits(long value) {
        Millis last = lastMillis;
        if (last.value() != value) {
            byte[] digits = new byte[digits(value)];
            putLong(digits, 0, value);
            last = new Millis(value, digits);
            lastMillis = last;
        }
        return last.digits();
    }

    /** 10^0 to 10^18. */
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        long power = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    /** The decimal characters of {@code value}, sign included. */
    static int digits(long value) {
        if (value == Long.MIN_VALUE) {
            return 20;
        }
        int sign = 0;
        if (value < 0) {
            sign = 1;
            value = -value;
        }
        if (value < 10) {
            return sign + 1;
        }
        // floor(bits × log10 2) is the number of digits or one less; one comparison tells which (no loop).
        int guess = ((64 - Long.numberOfLeadingZeros(value)) * 1233) >>> 12;
        return sign + (value >= POWERS_OF_TEN[guess] ? guess + 1 : guess);
    }

    private static int putLong(byte[] out, int at, long value) {
        if (value == Long.MIN_VALUE) {
            return put(out, at, ascii(Long.toString(value)));
        }
        int end = at + digits(value);
        if (value < 0) {
            out[at] = '-';
            value = -value;
        }
        int i = end;
        // Two digits per division: the numbers here (epoch milliseconds, sequences) have 10 to 19 of them.
        while (value >= 100) {
            int pair = (int) (value % 100);
            value /= 100;
            out[--i] = (byte) ('0' + pair % 10);
            out[--i] = (byte) ('0' + pair / 10);
        }
        if (value >= 10) {
            out[--i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        out[--i] = (byte) ('0' + value);
        return end;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
