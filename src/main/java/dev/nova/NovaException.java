package dev.nova;

import java.util.Objects;

/**
 * A failure the caller can act on: bad input, an unknown name, a conflict with current state, or a node that
 * cannot serve the request now. The REST layer maps {@link Kind} to an HTTP status; the message is shown to
 * the caller as is, so it must say what was wrong without leaking secrets or internals.
 */
public class NovaException extends RuntimeException {

    /** The category of failure, which decides the HTTP status the API answers with. */
    public enum Kind {
        /** Malformed or invalid input (400). */
        INVALID,
        /** Unknown client, subscription or node (404). */
        NOT_FOUND,
        /** Conflict with current state, e.g. a duplicate name (409). */
        CONFLICT,
        /** The node cannot serve the request now (503). */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String title;

    public NovaException(Kind kind, String title, String detail) {
        super(detail);
        this.kind = Objects.requireNonNull(kind);
        this.title = Objects.requireNonNull(title);
    }

    public static NovaException invalid(String detail) {
        return new NovaException(Kind.INVALID, "Invalid request", detail);
    }

    public static NovaException notFound(String detail) {
        return new NovaException(Kind.NOT_FOUND, "Not found", detail);
    }

    public static NovaException conflict(String detail) {
        return new NovaException(Kind.CONFLICT, "Conflict", detail);
    }

    public static NovaException unavailable(String detail) {
        return new NovaException(Kind.UNAVAILABLE, "Service unavailable", detail);
    }

    public Kind kind() {
        return kind;
    }

    /** A short, stable summary of the problem type (RFC 9457 {@code title}). */
    public String title() {
        return title;
    }
}
