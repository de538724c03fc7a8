package dev.nova.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Deribit JSON-RPC 2.0 as documented for {@code /ws/api/v2}: {@code public/subscribe},
 * {@code public/unsubscribe}, {@code public/auth} (client_credentials, and client_signature as ccxt sends it),
 * {@code public/set_heartbeat} with {@code test_request}s that close the connection when unanswered,
 * {@code public/test}, and a credit bucket per account (per connection before auth) that answers 10028
 * {@code too_many_requests} and then closes the session.
 */
final class DeribitSession extends SimSession {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CHANNEL =
            Pattern.compile("(book|trades|ticker|quote|incremental_ticker|perpetual|chart\\.trades|deribit_price_index"
                    + "|deribit_price_ranking|deribit_volatility_index|estimated_expiration_price|markprice\\.options"
                    + "|instrument\\.state)\\.[A-Za-z0-9_.-]+|platform_state|announcements");
    private static final Pattern PRIVATE = Pattern.compile("user\\.[a-z_.]+[A-Za-z0-9_.-]*");

    private volatile String account;
    private volatile boolean awaitingTest;
    private ScheduledFuture<?> heartbeat;

    DeribitSession(int id, WsConnection connection, ExchangeSimulator exchange) {
        super(id, connection, exchange);
    }

    @Override
    String platform() {
        return "deribit";
    }

    @Override
    String account() {
        return account;
    }

    @Override
    public void onText(WsConnection connection, String text) {
        JsonNode request;
        try {
            request = JSON.readTree(text);
        } catch (Exception e) {
            sendText("{\"jsonrpc\":\"2.0\",\"error\":{\"message\":\"Parse error\",\"code\":-32700},\"testnet\":false}");
            return;
        }
        long id = request.path("id").asLong(-1);
        String method = request.path("method").asText("");
        String bucket = account != null ? "account:" + account : "connection:" + this.id;
        if (!exchange.takeCredits(bucket)) {
            exchange.countRateLimited();
            error(id, 10028, "too_many_requests");
            connection.close(1000, "too_many_requests");
            return;
        }
        JsonNode params = request.path("params");
        switch (method) {
            case "public/subscribe", "private/subscribe" -> subscribe(id, params, method.startsWith("private"));
            case "public/unsubscribe", "private/unsubscribe" -> unsubscribe(id, params);
            case "public/auth" -> auth(id, params);
            case "public/set_heartbeat" -> setHeartbeat(id, params);
            case "public/disable_heartbeat" -> {
                cancelHeartbeat();
                result(id, "\"ok\"");
            }
            case "public/test" -> {
                awaitingTest = false;
                result(id, "{\"version\":\"1.2.26\"}");
            }
            default -> error(id, -32601, "Method not found");
        }
    }

    private void subscribe(long id, JsonNode params, boolean privateMethod) {
        if (privateMethod && account == null) {
            error(id, 13009, "unauthorized");
            return;
        }
        List<String> accepted = new ArrayList<>();
        for (JsonNode node : params.path("channels")) {
            String channel = node.asText();
            boolean valid = CHANNEL.matcher(channel).matches() && !channel.contains("UNKNOWN");
            boolean privateOk = PRIVATE.matcher(channel).matches() && account != null;
            if (valid || privateOk) {
                subscribe(channel);
                accepted.add(channel);
            }
        }
        result(id, channelArray(accepted));
    }

    private void unsubscribe(long id, JsonNode params) {
        List<String> removed = new ArrayList<>();
        for (JsonNode node : params.path("channels")) {
            String channel = node.asText();
            if (channels.contains(channel)) {
                unsubscribe(channel);
                removed.add(channel);
            }
        }
        result(id, channelArray(removed));
    }

    private void auth(long id, JsonNode params) {
        String clientId = params.path("client_id").asText(null);
        String secret = params.path("client_secret").asText(null);
        String known = clientId == null ? null : exchange.options().credentials.get(clientId);
        boolean valid =
                switch (params.path("grant_type").asText()) {
                    case "client_credentials" -> known != null && known.equals(secret);
                    case "client_signature" -> known != null && signed(known, params);
                    default -> false;
                };
        if (!valid) {
            error(id, 13004, "invalid_credentials");
            return;
        }
        account = clientId;
        result(
                id,
                "{\"access_token\":\"1582628593469.1MbQ-J_4.CBP-OqOwm_FBdMYj4cRK2dMXyHPfBtXGpzLxhWg31nHu3H_Q"
                        + "60FpE5_vqUBEQGSiMrIGzw3nC37NMb9d1tpBNqBOM_Ql9pXOmgtV9Yj3Pq1c6BqC6dU6eTxHMFO67x8GpJxqw_QcKP5I"
                        + "epwGBD-gfKSHfAv9AEnLJkNu3JkMJBdLToY1lrBnuedF3dU_uARm\",\"enabled_features\":[],\"expires_in\":"
                        + "31536000,\"refresh_token\":\"1582628593469.1GP4rQd0.A9Wa78o5kFRIUP49mScaD1CqHgiK50HOl2VA6kCtW"
                        + "a8BQZU5Dr03BhcbXPNvEh3I_MVixKZXnyoBeKJwLl8LXnfo180ckAiPj3zOclcUu4zkXuF3NNP3sTPcDf1B3C1CwMKkJ1"
                        + "NOcf1yPmRbsrd7hbgQ-hLa40tfx6Oa-85ymm_3Z65LZcnCeLrqlj_A9jM\",\"scope\":\"connection "
                        + "mainaccount\",\"token_type\":\"bearer\"}");
    }

    /**
     * Deribit's {@code client_signature} grant (what ccxt sends): {@code signature} is the hex HMAC-SHA256, keyed with
     * the client secret, of {@code timestamp + "\n" + nonce + "\n" + data}. The timestamp's age is not checked.
     */
    private static boolean signed(String secret, JsonNode params) {
        JsonNode timestamp = params.path("timestamp");
        String nonce = params.path("nonce").asText(null);
        String signature = params.path("signature").asText(null);
        if (!timestamp.canConvertToLong() || nonce == null || signature == null) {
            return false;
        }
        String data = params.path("data").asText("");
        String text = timestamp.asLong() + "\n" + nonce + "\n" + data;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
            return MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.UTF_8),
                    signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HmacSHA256", e);
        }
    }

    private void setHeartbeat(long id, JsonNode params) {
        int interval = params.path("interval").asInt(-1);
        if (interval < exchange.options().deribitMinHeartbeatSeconds) {
            error(id, -32602, "Invalid params");
            return;
        }
        cancelHeartbeat();
        result(id, "\"ok\"");
        awaitingTest = false;
        synchronized (this) {
            heartbeat = exchange.timers().scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.SECONDS);
        }
    }

    private void heartbeat() {
        if (!connection.isOpen()) {
            cancelHeartbeat();
            return;
        }
        if (connection.frozen()) {
            return;
        }
        if (awaitingTest) {
            exchange.countHeartbeatClose();
            cancelHeartbeat();
            connection.close(1000, "heartbeat timeout");
            return;
        }
        awaitingTest = true;
        sendText("{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"test_request\"}}");
    }

    private synchronized void cancelHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
    }

    @Override
    public void onClosed(WsConnection connection) {
        cancelHeartbeat();
        super.onClosed(connection);
    }

    private static String channelArray(List<String> channels) {
        ArrayNode array = JSON.createArrayNode();
        channels.forEach(array::add);
        return array.toString();
    }

    private void result(long id, String resultJson) {
        long now = System.currentTimeMillis() * 1000;
        sendText("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + resultJson + ",\"usIn\":" + now + ",\"usOut\":"
                + (now + 15) + ",\"usDiff\":15,\"testnet\":false}");
    }

    private void error(long id, int code, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("code", code);
        long now = System.currentTimeMillis() * 1000;
        sendText("{\"jsonrpc\":\"2.0\"," + (id >= 0 ? "\"id\":" + id + "," : "") + "\"error\":" + error + ",\"usIn\":"
                + now + ",\"usOut\":" + (now + 12) + ",\"usDiff\":12,\"testnet\":false}");
    }
}
