package dev.nova.connection;

import jakarta.websocket.SendHandler;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/** Opens WebSocket sessions to an exchange. Implemented with Tyrus; faked in unit tests. */
public interface ExchangeTransport {

    /**
     * Opens a session, blocking until the handshake completes or {@code timeout} passes. The listener's
     * {@link TransportListener#onOpen} is called before any frame is delivered.
     */
    TransportSession open(URI uri, TransportListener listener, Duration timeout) throws IOException;

    /** One open WebSocket session. */
    interface TransportSession {

        /** Queues a text frame; {@code done} learns whether it was written. Never blocks on the socket. */
        void sendText(String text, SendHandler done);

        void sendPing() throws IOException;

        /** Closes politely (close frame, code 1000); idempotent. */
        void close();

        boolean isOpen();
    }

    /** Callbacks of one session, on the transport's threads. */
    interface TransportListener {

        void onOpen(TransportSession session);

        void onText(String text);

        /**
         * Whether {@link #onPong} should be called. A session that never pings says no: a transport may then skip
         * the work of offering every text frame to a pong handler as well.
         */
        boolean wantsPongs();

        void onPong();

        void onClosed(int code, String reason);

        void onError(Throwable error);
    }
}
