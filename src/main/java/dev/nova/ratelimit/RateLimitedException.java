package dev.nova.ratelimit;

/** A request Nova did not send because its budget could not admit it in time. */
public final class RateLimitedException extends RuntimeException {

    private final String scope;
    private final long retryAfterMs;

    public RateLimitedException(String scope, long retryAfterMs, String why) {
        super("rate limited on " + scope + ": " + why + " (retry after " + retryAfterMs + " ms)");
        this.scope = scope;
        this.retryAfterMs = retryAfterMs;
    }

    public String scope() {
        return scope;
    }

    public long retryAfterMs() {
        return retryAfterMs;
    }
}
