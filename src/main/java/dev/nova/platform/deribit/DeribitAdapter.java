package dev.nova.platform.deribit;

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
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Deribit JSON-RPC 2.0, translated to and from Nova's terms. Decoding makes one pass over the frame and cuts the
 * notification payload out of it unchanged; field order is not assumed. Market-data notifications, nearly every
 * frame, are read by a {@link JsonScanner}; every other frame, and any notification the scanner declines, by
 * Jackson's streaming parser. Both give the same result for any frame the scanner accepts (DeribitFastPathTest).
 */
public final class DeribitAdapter implements PlatformAdapter {

    /** Deribit's error code for an exhausted credit budget; the exchange may end the session after it. */
    public static final int TOO_MANY_REQUESTS = 10028;

    @Override
    public Platform platform() {
        return Platform.DERIBIT;
    }

    @Override
    public Optional<String> checkChannel(String channel) {
        return DeribitChannels.check(channel);
    }

    @Override
    public Optional<String> checkUrl(URI url) {
        String scheme = url.getScheme();
        if (!"wss".equals(scheme) && !"ws".equals(scheme)) {
            return Optional.of("url must be a ws:// or wss:// URL, e.g. wss://www.deribit.com/ws/api/v2");
        }
        return Optional.empty();
    }

    @Override
    public boolean isPrivate(String channel) {
        return DeribitChannels.isPrivate(channel);
    }

    @Override
    public int maxChannelsPerSession() {
        return Integer.MAX_VALUE;
    }

    @Override
    public boolean usesPingFrames() {
        return false;
    }

    @Override
    public String encodeSubscribe(long id, Collection<String> channels, boolean authenticated) {
        return channelRequest(id, authenticated ? "private/subscribe" : "public/subscribe", channels);
    }

    @Override
    public String encodeUnsubscribe(long id, Collection<String> channels, boolean authenticated) {
        return channelRequest(id, authenticated ? "private/unsubscribe" : "public/unsubscribe", channels);
    }

    private static String channelRequest(long id, String method, Collection<String> channels) {
        StringBuilder out = new StringBuilder(64 + channels.size() * 32);
        out.append("{\"jsonrpc\":\"2.0\",\"id\":")
                .append(id)
                .append(",\"method\":\"")
                .append(method);
        out.append("\",\"params\":{\"channels\":");
        Json.appendStringArray(out, channels);
        return out.append("}}").toString();
    }

    @Override
    public Optional<String> encodeAuth(long id, String clientId, String clearSecret) {
        StringBuilder out = new StringBuilder(160);
        out.append("{\"jsonrpc\":\"2.0\",\"id\":").append(id);
        out.append(",\"method\":\"public/auth\",\"params\":{\"grant_type\":\"client_credentials\",\"client_id\":");
        Json.appendQuoted(out, clientId).append(",\"client_secret\":");
        Json.appendQuoted(out, clearSecret);
        return Optional.of(out.append("}}").toString());
    }

    @Override
    public Optional<String> encodeHeartbeatSetup(long id, int intervalSeconds) {
        return Optional.of("{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"method\":\"public/set_heartbeat\",\"params\":{\"interval\":" + intervalSeconds + "}}");
    }

    @Override
    public String encodeHeartbeatReply(long id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"public/test\",\"params\":{}}";
    }

    @Override
    public Set<String> acceptedChannels(Collection<String> requested, InboundFrame.Response response) {
        // Deribit answers with the list of channels it subscribed; channels it refused are left out.
        Set<String> confirmed = new HashSet<>();
        try (JsonParser p = Json.FACTORY.createParser(response.result())) {
            if (p.nextToken() == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.VALUE_STRING) {
                    confirmed.add(p.getText());
                }
            }
        } catch (IOException e) {
            return Set.of();
        }
        Set<String> accepted = new LinkedHashSet<>(requested);
        accepted.retainAll(confirmed);
        return accepted;
    }

    @Override
    public boolean isRateLimitError(int code) {
        return code == TOO_MANY_REQUESTS;
    }

    @Override
    public InboundFrame decode(String frame) {
        return JsonScanner.fastOrFull(frame, DeribitAdapter::scan, DeribitAdapter::parse);
    }

    /** The scanner's reading of {@code frame}: a notification, null for another kind of frame; may give up. */
    static InboundFrame.Notification scan(String frame) {
        return Params.scan(frame);
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
        String method = null;
        String result = null;
        boolean hasResult = false;
        int errorCode = 0;
        String errorMessage = null;
        boolean hasError = false;
        Params params = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = Json.longValue(p, -1);
                case "method" -> method = Json.text(p);
                case "params" -> params = Params.read(p, frame);
                case "result" -> {
                    hasResult = true;
                    result = Json.rawValue(p, frame);
                }
                case "error" -> {
                    hasError = true;
                    if (p.currentToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            p.nextToken();
                            if ("code".equals(name)) {
                                errorCode = (int) Json.longValue(p, 0);
                            } else if ("message".equals(name)) {
                                errorMessage = Json.text(p);
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
        if (hasError) {
            return new InboundFrame.ErrorReply(id, errorCode, errorMessage == null ? "" : errorMessage);
        }
        if (hasResult && id >= 0) {
            return new InboundFrame.Response(id, result);
        }
        if ("subscription".equals(method) && params != null && params.channel != null && params.data != null) {
            return params.notification();
        }
        if ("heartbeat".equals(method) && params != null) {
            return new InboundFrame.Heartbeat("test_request".equals(params.type));
        }
        return new InboundFrame.Unrecognized(method == null ? "no method, result or error" : "method " + method);
    }

    /** What a {@code params} object held; sequence fields are read from the payload wherever they sit. */
    private static final class Params {
        String channel;
        String type;
        String data;
        String dataType;
        long changeId = InboundFrame.NO_SEQUENCE;
        long prevChangeId = InboundFrame.NO_SEQUENCE;
        long firstTradeSeq = InboundFrame.NO_SEQUENCE;
        long lastTradeSeq = InboundFrame.NO_SEQUENCE;

        /**
         * The notification in {@code frame} when it is a well-formed {@code subscription} notification; null when it is
         * another kind of frame. Gives up ({@link JsonScanner#GIVE_UP}) on anything unusual.
         */
        static InboundFrame.Notification scan(String frame) {
            JsonScanner s = new JsonScanner(frame);
            s.expect('{');
            boolean subscription = false;
            Params params = null;
            for (boolean more = s.firstField(); more; more = s.nextField()) {
                if (s.keyIs("method")) {
                    subscription = s.peek() == '"' && s.stringIs("subscription");
                    if (!subscription) {
                        return null;
                    }
                } else if (s.keyIs("params")) {
                    params = scanParams(s, frame);
                } else if (s.keyIs("id") || s.keyIs("result") || s.keyIs("error")) {
                    return null;
                } else {
                    s.skipValue();
                }
            }
            s.end();
            if (!subscription || params == null || params.channel == null || params.data == null) {
                return null;
            }
            return params.notification();
        }

        private static Params scanParams(JsonScanner s, String frame) {
            Params params = new Params();
            if (s.peek() != '{') {
                throw JsonScanner.GIVE_UP;
            }
            s.expect('{');
            for (boolean more = s.firstField(); more; more = s.nextField()) {
                if (s.keyIs("channel")) {
                    params.channel = s.plainString();
                } else if (s.keyIs("data")) {
                    char first = s.peek();
                    int start = s.position();
                    if (first == '{') {
                        params.scanObject(s);
                    } else if (first == '[') {
                        params.scanArray(s);
                    } else {
                        s.skipValue();
                    }
                    params.data = frame.substring(start, s.position());
                } else if (s.keyIs("type")) {
                    params.type = s.plainString();
                } else {
                    s.skipValue();
                }
            }
            return params;
        }

        private void scanObject(JsonScanner s) {
            s.expect('{');
            for (boolean more = s.firstField(); more; more = s.nextField()) {
                if (s.keyIs("change_id")) {
                    changeId = s.integer();
                } else if (s.keyIs("prev_change_id")) {
                    prevChangeId = s.integer();
                } else if (s.keyIs("type")) {
                    dataType = s.plainString();
                } else {
                    s.skipValue();
                }
            }
        }

        private void scanArray(JsonScanner s) {
            s.expect('[');
            for (boolean more = s.firstElement(); more; more = s.nextElement()) {
                if (s.peek() != '{') {
                    s.skipValue();
                    continue;
                }
                s.expect('{');
                for (boolean field = s.firstField(); field; field = s.nextField()) {
                    if (s.keyIs("trade_seq")) {
                        long seq = s.integer();
                        if (firstTradeSeq == InboundFrame.NO_SEQUENCE) {
                            firstTradeSeq = seq;
                        }
                        lastTradeSeq = seq;
                    } else {
                        s.skipValue();
                    }
                }
            }
        }

        static Params read(JsonParser p, String frame) throws IOException {
            Params params = new Params();
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return params;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "channel" -> params.channel = Json.text(p);
                    case "type" -> params.type = Json.text(p);
                    case "data" -> {
                        int start = (int) p.currentTokenLocation().getCharOffset();
                        if (value == JsonToken.START_OBJECT) {
                            params.scanObject(p);
                        } else if (value == JsonToken.START_ARRAY) {
                            params.scanArray(p);
                        } else {
                            params.data = Json.rawValue(p, frame);
                            continue;
                        }
                        params.data =
                                frame.substring(start, (int) p.currentLocation().getCharOffset());
                    }
                    default -> p.skipChildren();
                }
            }
            return params;
        }

        private void scanObject(JsonParser p) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "change_id" -> changeId = Json.longValue(p, InboundFrame.NO_SEQUENCE);
                    case "prev_change_id" -> prevChangeId = Json.longValue(p, InboundFrame.NO_SEQUENCE);
                    case "type" -> dataType = Json.text(p);
                    default -> p.skipChildren();
                }
            }
        }

        private void scanArray(JsonParser p) throws IOException {
            JsonToken element;
            while ((element = p.nextToken()) != JsonToken.END_ARRAY && element != null) {
                if (element != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if ("trade_seq".equals(field)) {
                        long seq = Json.longValue(p, InboundFrame.NO_SEQUENCE);
                        if (seq != InboundFrame.NO_SEQUENCE) {
                            if (firstTradeSeq == InboundFrame.NO_SEQUENCE) {
                                firstTradeSeq = seq;
                            }
                            lastTradeSeq = seq;
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }

        InboundFrame.Notification notification() {
            if (changeId != InboundFrame.NO_SEQUENCE) {
                // Book: a delta names the change it follows; a snapshot, or a grouped book without
                // prev_change_id, restarts the channel.
                boolean snapshot = "snapshot".equals(dataType) || prevChangeId == InboundFrame.NO_SEQUENCE;
                return new InboundFrame.Notification(channel, data, changeId, prevChangeId, snapshot);
            }
            if (lastTradeSeq != InboundFrame.NO_SEQUENCE && DeribitChannels.hasContiguousTradeSeq(channel)) {
                return new InboundFrame.Notification(channel, data, lastTradeSeq, firstTradeSeq - 1, false);
            }
            return new InboundFrame.Notification(
                    channel, data, InboundFrame.NO_SEQUENCE, InboundFrame.NO_SEQUENCE, false);
        }
    }
}
