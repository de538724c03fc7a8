package dev.nova.connection;

import java.io.IOException;

/** The exchange answered the WebSocket handshake with an HTTP error status (e.g. 429 too many connections). */
public final class HandshakeRefusedException extends IOException {

    private final int status;

    public HandshakeRefusedException(int status, String message, Throwable cause) {
        super("handshake refused with HTTP " + status + (message == null ? "" : ": " + message), cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Whether the exchange refused because of too many connections (429, or Binance's 418 ban). */
    public boolean rateLimit() {
        return status == 429 || status == 418;
    }
}
