package dev.nova.ratelimit;

import java.util.Locale;
import java.util.Optional;

/** What an outbound request does, which decides its cost and its priority when budgets run short. */
public enum Operation {
    CONNECT,
    AUTH,
    SUBSCRIBE,
    UNSUBSCRIBE,
    HEARTBEAT,
    REQUEST;

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
