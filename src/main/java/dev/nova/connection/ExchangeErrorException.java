package dev.nova.connection;

/** The exchange answered a request with an error. */
public final class ExchangeErrorException extends RuntimeException {

    private final int code;
    private final boolean rateLimit;

    public ExchangeErrorException(int code, String message, boolean rateLimit) {
        super("exchange error " + code + (message == null || message.isEmpty() ? "" : " (" + message + ")"));
        this.code = code;
        this.rateLimit = rateLimit;
    }

    public int code() {
        return code;
    }

    /** Whether the exchange throttled the session (Deribit 10028, Binance 429/418). */
    public boolean rateLimit() {
        return rateLimit;
    }
}
