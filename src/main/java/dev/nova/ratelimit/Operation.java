package dev.nova.ratelimit;

import java.util.Locale;
import java.util.Optional;

/**
 * What an outbound request does, which decides its cost and its priority when budgets run short: heartbeats
 * first (a missed heartbeat costs the session), then connecting and authenticating, then (un)subscribing, then
 * other requests.
 */
public enum Operation {
    CONNECT(1),
    AUTH(1),
    SUBSCRIBE(2),
    UNSUBSCRIBE(2),
    HEARTBEAT(0),
    REQUEST(3);

    private final int priority;

    Operation(int priority) {
        this.priority = priority;
    }

    /** Lower goes first. */
    public int priority() {
        return priority;
    }

    /** The name used in the REST API ({@code connect}, {@code subscribe}, …). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Operation> fromId(String id) {
        for (Operation op : values()) {
            if (op.id().equals(id)) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }
}
