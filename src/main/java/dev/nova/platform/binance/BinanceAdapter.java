package dev.nova.platform.binance;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.nova.platform.InboundFrame;
import dev.nova.platform.Json;
import dev.nova.platform.JsonScanner;
import dev.nova.platform.Platform;
import dev.nova.platform.PlatformAdapter;
import java.io.IOException;
import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Binance combined market streams, translated to and from Nova's terms. Decoding makes one pass over the frame,
 * cuts the payload out unchanged and picks the sequence fields by event type. Stream events, nearly every frame,
 * are read by a {@link JsonScanner}; every other frame, and any event the scanner declines, by Jackson's streaming
 * parser. Both give the same result for any frame the scanner accepts (BinanceFastPathTest).
 */
public final class BinanceAdapter implements PlatformAdapter {

    /** Binance's documented cap of streams on one connection. */
    public static final int MAX_STREAMS_PER_CONNECTION = 1024;

    private final int maxStreamsPerConnection;

    public BinanceAdapter() {
        this(MAX_STREAMS_PER_CONNECTION);
    }

    public BinanceAdapter(int maxStreamsPerConnection) {
        if (maxStreamsPerConnection < 1) {
            throw new IllegalArgumentException("maxStreamsPerConnection must be positive");
        }
        this.maxStreamsPerConnection = maxStreamsPerConnection;
    }

    @Override
    public Platform platform() {
        return Platform.BINANCE;
    }

    @Override
    public Optional<String> checkChannel(String channel) {
        return BinanceChannels.check(channel);
    }

    @Override
    public Optional<String> checkUrl(URI url) {
        String scheme = url.getScheme();
        if (!"wss".equals(scheme) && !"ws".equals(scheme)) {
            return Optional.of("url must be a ws:// or wss:// URL, e.g. wss://stream.binance.com:9443/stream");
        }
        String path = url.getPath();
        if (path == null || !path.endsWith("/stream")) {
            return Optional.of("url must be Binance's combined-stream endpoint ending in /stream "
                    + "(e.g. wss://stream.binance.com:9443/stream), so every message names its stream");
        }
        return Optional.empty();
    }

    @Override
    public boolean isPrivate(String channel) {
        return false;
    }

    @Override
    public int maxChannelsPerSession() {
        return maxStreamsPerConnection;
    }

    @Override
    public boolean usesPingFrames() {
        return true;
    }

    @Override
    public String encodeSubscribe(long id, Collection<String> channels, boolean authenticated) {
        return request("SUBSCRIBE", id, channels);
    }

    @Override
    public String encodeUnsubscribe(long id, Collection<String> channels, boolean authenticated) {
        return request("UNSUBSCRIBE", id, channels);
    }

    private static String request(String method, long id, Collection<String> channels) {
        StringBuilder out = new StringBuilder(48 + channels.size() * 24);
        out.append("{\"method\":\"").append(method).append("\",\"params\":");
        Json.appendStringArray(out, channels);
        return out.append(",\"id\":").append(id).append('}').toString();
    }

    @Override
    public Optional<String> encodeAuth(long id, String clientId, String clearSecret) {
        return Optional.empty();
    }

    @Override
    public boolean sendsCredentials() {
        return false;
    }

    @Override
    public Optional<String> encodeHeartbeatSetup(long id, int intervalSeconds) {
        return Optional.empty();
    }

    @Override
    public String encodeHeartbeatReply(long id) {
        throw new UnsupportedOperationException("Binance sends no test requests; it pings at the WebSocket level");
    }

    @Override
    public Set<String> acceptedChannels(Collection<String> requested, InboundFrame.Response response) {
        // A null result means every stream of the request was subscribed.
        return "null".equals(response.result()) ? new LinkedHashSet<>(requested) : Set.of();
    }

    @Override
    public boolean isRateLimitError(int code) {
        return code == 429 || code == 418;
    }

    @Override
    public InboundFrame decode(String frame) {
        return JsonScanner.fastOrFull(frame, BinanceAdapter::scan, BinanceAdapter::parse);
    }

    /**
     * The stream event in {@code frame} when it is a well-formed one; null when it is another kind of frame. Gives
     * up ({@link JsonScanner#GIVE_UP}) on anything unusual.
     */
    static InboundFrame.Notification scan(String frame) {
        JsonScanner s = new JsonScanner(frame);
        s.expect('{');
        String stream = null;
        Payload payload = null;
        for (boolean more = s.firstField(); more; more = s.nextField()) {
            if (s.keyIs("stream")) {
                stream = s.plainString();
            } else if (s.keyIs("data")) {
                payload = Payload.scan(s, frame);
            } else if (s.keyIs("id") || s.keyIs("result") || s.keyIs("code") || s.keyIs("msg") || s.keyIs("error")) {
                return null;
            } else {
                s.skipValue();
            }
        }
        s.end();
        return stream == null || payload == null ? null : notification(stream, payload);
    }

    /** The full decode, with Jackson: every kind of frame, and the authority on the ones the scanner declines. */
    static InboundFrame parse(String frame) {
        try (JsonParser p = Json.FACTORY.createParser(frame)) {
            return decode(p, frame);
        } catch (IOException | RuntimeException e) {
            return new InboundFrame.Unrecognized("invalid JSON: " + e.getMessage());
        }
    }

    private static InboundFrame decode(JsonParser p, String frame) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return new InboundFrame.Unrecognized("not a JSON object");
        }
        long id = -1;
        String stream = null;
        Payload payload = null;
        String result = null;
        boolean hasResult = false;
        Integer code = null;
        String message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "stream" -> stream = Json.text(p);
                case "data" -> payload = Payload.read(p, frame);
                case "id" -> id = Json.longValue(p, -1);
                case "result" -> {
                    hasResult = true;
                    result = Json.rawValue(p, frame);
                }
                case "code" -> code = (int) Json.longValue(p, 0);
                case "msg" -> message = Json.text(p);
                case "error" -> {
                    // Some Binance services nest the error: {"error":{"code":…,"msg":…},"id":…}
                    if (p.currentToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            p.nextToken();
                            if ("code".equals(name)) {
                                code = (int) Json.longValue(p, 0);
                            } else if ("msg".equals(name)) {
                                message = Json.text(p);
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (stream != null && payload != null) {
            return notification(stream, payload);
        }
        if (code != null) {
            return new InboundFrame.ErrorReply(id, code, message == null ? "" : message);
        }
        if (hasResult && id >= 0) {
            return new InboundFrame.Response(id, result);
        }
        return new InboundFrame.Unrecognized("neither a stream event nor a response");
    }

    private static InboundFrame.Notification notification(String stream, Payload payload) {
        if (stream.startsWith("!")) {
            // All-market streams mix every symbol: no single sequence runs through them.
            return new InboundFrame.Notification(
                    stream, payload.data, InboundFrame.NO_SEQUENCE, InboundFrame.NO_SEQUENCE, false);
        }
        return payload.notification(stream);
    }

    /** A stream payload and the sequence fields found in it. */
    private static final class Payload {
        String data;
        String event;
        long firstUpdate = InboundFrame.NO_SEQUENCE;
        long lastUpdate = InboundFrame.NO_SEQUENCE;
        long tradeId = InboundFrame.NO_SEQUENCE;
        long aggregateId = InboundFrame.NO_SEQUENCE;
        long lastUpdateId = InboundFrame.NO_SEQUENCE;

        static Payload scan(JsonScanner s, String frame) {
            Payload payload = new Payload();
            char first = s.peek();
            int start = s.position();
            if (first != '{') {
                s.skipValue();
                payload.data = frame.substring(start, s.position());
                return payload;
            }
            s.expect('{');
            for (boolean more = s.firstField(); more; more = s.nextField()) {
                if (s.keyIs("e")) {
                    payload.event = s.plainString();
                } else if (s.keyIs("U")) {
                    payload.firstUpdate = sequence(s);
                } else if (s.keyIs("u")) {
                    payload.lastUpdate = sequence(s);
                } else if (s.keyIs("t")) {
                    payload.tradeId = sequence(s);
                } else if (s.keyIs("a")) {
                    payload.aggregateId = sequence(s);
                } else if (s.keyIs("lastUpdateId")) {
                    payload.lastUpdateId = sequence(s);
                } else {
                    s.skipValue();
                }
            }
            payload.data = frame.substring(start, s.position());
            return payload;
        }

        /**
         * An integer; any value that is not a number is no sequence (in depth events {@code a} is the asks array, in
         * book tickers the ask price string). A number that is not an integer gives up.
         */
        private static long sequence(JsonScanner s) {
            char first = s.peek();
            if (first != '-' && (first < '0' || first > '9')) {
                s.skipValue();
                return InboundFrame.NO_SEQUENCE;
            }
            return s.integer();
        }

        static Payload read(JsonParser p, String frame) throws IOException {
            Payload payload = new Payload();
            int start = (int) p.currentTokenLocation().getCharOffset();
            if (p.currentToken() != JsonToken.START_OBJECT) {
                payload.data = Json.rawValue(p, frame);
                return payload;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "e" -> payload.event = Json.text(p);
                    case "U" -> payload.firstUpdate = Json.longValue(p, InboundFrame.NO_SEQUENCE);
                    case "u" -> payload.lastUpdate = Json.longValue(p, InboundFrame.NO_SEQUENCE);
                    case "t" -> payload.tradeId = Json.longValue(p, InboundFrame.NO_SEQUENCE);
                        // In depth events "a" is the asks array; longValue skips it.
                    case "a" -> payload.aggregateId = Json.longValue(p, InboundFrame.NO_SEQUENCE);
                    case "lastUpdateId" -> payload.lastUpdateId = Json.longValue(p, InboundFrame.NO_SEQUENCE);
                    default -> p.skipChildren();
                }
            }
            payload.data = frame.substring(start, (int) p.currentLocation().getCharOffset());
            return payload;
        }

        InboundFrame.Notification notification(String stream) {
            long none = InboundFrame.NO_SEQUENCE;
            if ("depthUpdate".equals(event) && lastUpdate != none && firstUpdate != none) {
                return new InboundFrame.Notification(stream, data, lastUpdate, firstUpdate - 1, false);
            }
            if ("trade".equals(event) && tradeId != none) {
                return new InboundFrame.Notification(stream, data, tradeId, tradeId - 1, false);
            }
            if ("aggTrade".equals(event) && aggregateId != none) {
                return new InboundFrame.Notification(stream, data, aggregateId, aggregateId - 1, false);
            }
            if (event == null && lastUpdateId != none) {
                // Partial book depth: every message is a full top-of-book snapshot.
                return new InboundFrame.Notification(stream, data, lastUpdateId, none, true);
            }
            if (event == null && lastUpdate != none) {
                // Book ticker: update ids only increase; gaps cannot be told from skipped updates.
                return new InboundFrame.Notification(stream, data, lastUpdate, none, false);
            }
            return new InboundFrame.Notification(stream, data, none, none, false);
        }
    }
}
