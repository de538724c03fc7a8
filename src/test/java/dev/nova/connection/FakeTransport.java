package dev.nova.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An exchange in memory, for unit tests of the connection lifecycle: it records what each session sent, answers
 * through a responder, and delivers inbound frames on one thread per session, like a WebSocket reading thread.
 */
final class FakeTransport implements ExchangeTransport {

    static final ObjectMapper JSON = new ObjectMapper();

    final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
    volatile boolean refuse;
    volatile Function<JsonNode, Optional<String>> responder = request -> Optional.empty();

    @Override
    public TransportSession open(URI uri, TransportListener listener, Duration timeout) throws IOException {
        if (refuse) {
            throw new IOException("Connection refused");
        }
        FakeSession session = new FakeSession(listener, sessions.size());
        listener.onOpen(session);
        sessions.add(session);
        return session;
    }

    FakeSession last() {
        return sessions.get(sessions.size() - 1);
    }

    List<FakeSession> openSessions() {
        return sessions.stream().filter(FakeSession::isOpen).toList();
    }

    /** Answers Deribit JSON-RPC requests the way Deribit does when all goes well. */
    static Optional<String> deribit(JsonNode request) {
        long id = request.path("id").asLong();
        String result =
                switch (request.path("method").asText()) {
                    case "public/set_heartbeat" -> "\"ok\"";
                    case "public/auth" -> "{\"access_token\":\"t\",\"expires_in\":31536000,\"token_type\":\"bearer\"}";
                    case "public/subscribe",
                            "private/subscribe",
                            "public/unsubscribe",
                            "private/unsubscribe" -> request.path("params")
                            .path("channels")
                            .toString();
                    case "public/test" -> "{\"version\":\"1.2.26\"}";
                    default -> null;
                };
        return result == null
                ? Optional.empty()
                : Optional.of("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + ",\"testnet\":false}");
    }

    /** Answers Binance live subscribe requests with success. */
    static Optional<String> binance(JsonNode request) {
        return Optional.of("{\"result\":null,\"id\":" + request.path("id").asLong() + "}");
    }

    final class FakeSession implements TransportSession {
        final int index;
        final TransportListener listener;
        final List<String> sent = new CopyOnWriteArrayList<>();
        final AtomicInteger pings = new AtomicInteger();
        private final ExecutorService reader = Executors.newSingleThreadExecutor();
        private volatile boolean open = true;

        FakeSession(TransportListener listener, int index) {
            this.listener = listener;
            this.index = index;
        }

        @Override
        public void sendText(String text, SendHandler done) {
            if (!open) {
                done.onResult(new SendResult(new IOException("closed")));
                return;
            }
            sent.add(text);
            done.onResult(new SendResult());
            try {
                responder.apply(JSON.readTree(text)).ifPresent(this::receive);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void sendPing() {
            pings.incrementAndGet();
            reader.execute(listener::onPong);
        }

        @Override
        public void close() {
            open = false;
            reader.shutdown();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        /** A frame from the exchange. */
        void receive(String text) {
            reader.execute(() -> listener.onText(text));
        }

        /** The exchange closes the connection. */
        void closeFromExchange(int code) {
            open = false;
            reader.execute(() -> listener.onClosed(code, "bye"));
            reader.shutdown();
        }

        /** Requests sent, as parsed JSON. */
        List<JsonNode> requests() {
            return sent.stream()
                    .map(text -> {
                        try {
                            return JSON.readTree(text);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
        }

        List<String> methods() {
            return requests().stream().map(r -> r.path("method").asText()).toList();
        }
    }
}
