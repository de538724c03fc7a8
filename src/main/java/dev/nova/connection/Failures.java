package dev.nova.connection;

import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How a failed step of a session reads in logs and in a client's {@code lastError}. */
final class Failures {

    private Failures() {}

    /** The cause under the wrappers of futures and unchecked I/O. */
    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException
                        || cause instanceof ExecutionException
                        || cause instanceof UncheckedIOException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A short description of a failure, saying when the exchange throttled. */
    static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof ExchangeErrorException exchange && exchange.rateLimit()) {
            return "rate limit: " + cause.getMessage();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
