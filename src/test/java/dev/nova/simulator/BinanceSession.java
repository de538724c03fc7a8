package dev.nova.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Binance spot market streams on {@code /stream} as documented: live {@code SUBSCRIBE} / {@code UNSUBSCRIBE} /
 * {@code LIST_SUBSCRIPTIONS} with ids, {@code {"stream","data"}} envelopes, at most 1024 streams per connection,
 * at most 5 incoming messages per second (text, ping and pong frames; more closes the connection), and a ping
 * every 20 s that must be answered within a minute.
 */
final class BinanceSession extends SimSession {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STREAM = Pattern.compile("[a-z0-9]+@[A-Za-z0-9_@+:]+|![A-Za-z_0-9]+(@arr)?");

    private final Deque<Long> incoming = new ArrayDeque<>();
    private volatile long lastPongAt = System.currentTimeMillis();
    private ScheduledFuture<?> pinger;

    BinanceSession(int id, WsConnection connection, ExchangeSimulator exchange) {
        super(id, connection, exchange);
    }

    @Override
    String platform() {
        return "binance";
    }

    void start() {
        long every = exchange.options().binancePingInterval.toMillis();
        pinger = exchange.timers().scheduleAtFixedRate(this::ping, every, every, TimeUnit.MILLISECONDS);
        // Streams named in the URL (/stream?streams=a/b) are subscribed at once, as on the real endpoint.
        String query = connection.query();
        if (query.startsWith("streams=")) {
            for (String stream : query.substring("streams=".length()).split("/")) {
                if (!stream.isEmpty()) {
                    subscribe(stream);
                }
            }
        }
    }

    private void ping() {
        if (!connection.isOpen()) {
            pinger.cancel(false);
            return;
        }
        if (connection.frozen()) {
            return;
        }
        long now = System.currentTimeMillis();
        if (now - lastPongAt > exchange.options().binancePongTimeout.toMillis()) {
            exchange.countHeartbeatClose();
            pinger.cancel(false);
            connection.close(1000, "pong timeout");
            return;
        }
        connection.ping(Long.toString(now).getBytes(StandardCharsets.US_ASCII));
    }

    /** Counts an incoming message; past the per-second limit the connection is closed. */
    private boolean admitIncoming() {
        long now = System.currentTimeMillis();
        synchronized (incoming) {
            incoming.addLast(now);
            while (!incoming.isEmpty() && incoming.peekFirst() <= now - 1000) {
                incoming.removeFirst();
            }
            if (incoming.size() > exchange.options().binanceMaxMessagesPerSecond) {
                exchange.countMessageLimitClose();
                connection.close(1008, "Too many requests");
                return false;
            }
        }
        return true;
    }

    @Override
    public void onPong(WsConnection connection) {
        lastPongAt = System.currentTimeMillis();
        admitIncoming();
    }

    @Override
    public void onPing(WsConnection connection) {
        admitIncoming();
    }

    @Override
    public void onText(WsConnection connection, String text) {
        if (!admitIncoming()) {
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(text);
        } catch (Exception e) {
            error(null, 3, "Invalid JSON: expected value at line 1 column 1");
            return;
        }
        JsonNode idNode = request.path("id");
        if (!idNode.canConvertToLong() || idNode.asLong() < 0) {
            error(null, 2, "Invalid request: request ID must be an unsigned integer");
            return;
        }
        long id = idNode.asLong();
        String method = request.path("method").asText("");
        switch (method) {
            case "SUBSCRIBE" -> subscribe(id, request.path("params"));
            case "UNSUBSCRIBE" -> {
                for (JsonNode stream : request.path("params")) {
                    unsubscribe(stream.asText());
                }
                result(id, "null");
            }
            case "LIST_SUBSCRIPTIONS" -> {
                ArrayNode list = JSON.createArrayNode();
                channels.forEach(list::add);
                result(id, list.toString());
            }
            default -> error(
                    id,
                    2,
                    "Invalid request: unknown variant " + method
                            + ", expected one of SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY");
        }
    }

    private void subscribe(long id, JsonNode params) {
        List<String> streams = new ArrayList<>();
        for (JsonNode node : params) {
            String stream = node.asText();
            if (!STREAM.matcher(stream).matches()) {
                error(id, 2, "Invalid request: invalid stream name " + stream);
                return;
            }
            streams.add(stream);
        }
        long fresh =
                streams.stream().filter(s -> !channels.contains(s)).distinct().count();
        if (channels.size() + fresh > exchange.options().binanceMaxStreams) {
            error(
                    id,
                    2,
                    "Invalid request: a connection can listen to at most " + exchange.options().binanceMaxStreams
                            + " streams");
            return;
        }
        streams.forEach(this::subscribe);
        result(id, "null");
    }

    @Override
    public void onClosed(WsConnection connection) {
        if (pinger != null) {
            pinger.cancel(false);
        }
        super.onClosed(connection);
    }

    private void result(long id, String resultJson) {
        sendText("{\"result\":" + resultJson + ",\"id\":" + id + "}");
    }

    private void error(Long id, int code, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("code", code);
        error.put("msg", message);
        if (id != null) {
            error.put("id", id);
        }
        sendText(error.toString());
    }
}
