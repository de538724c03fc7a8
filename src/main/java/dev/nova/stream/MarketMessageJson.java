package dev.nova.stream;

/**
 * The JSON form of a {@link MarketMessage} on the wire: {@code {channel, client, sequence, receivedAt, gap,
 * data}}, with {@code data} passed through exactly as the exchange sent it.
 */
public final class MarketMessageJson {

    private MarketMessageJson() {}

    public static String encode(MarketMessage message) {
        String data = message.data();
        StringBuilder out = new StringBuilder(96 + data.length());
        out.append("{\"channel\":");
        quote(out, message.channel());
        out.append(",\"client\":");
        quote(out, message.client());
        out.append(",\"sequence\":");
        if (message.sequenced()) {
            out.append(message.sequence());
        } else {
            out.append("null");
        }
        out.append(",\"receivedAt\":").append(message.receivedAt());
        out.append(",\"gap\":").append(message.gap());
        out.append(",\"data\":").append(data).append('}');
        return out.toString();
    }

    /** Channel and client names are validated to safe characters, but escape anyway: they reach browsers. */
    private static void quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
