package dev.nova.api;

import dev.nova.NovaException;
import jakarta.json.bind.JsonbException;
import jakarta.json.stream.JsonParsingException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns every exception that leaves a resource into {@code application/problem+json}: Nova's own failures keep
 * their message, malformed JSON becomes a 400, JAX-RS errors keep their status, and anything else is a 500 whose
 * details stay in the log under the instance id (never a stack trace to the caller). 4xx are logged at FINE, 5xx
 * at SEVERE.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class.getName());

    @Override
    public Response toResponse(Throwable thrown) {
        String instance = "urn:uuid:" + UUID.randomUUID();
        Problem problem = describe(thrown, instance);
        if (problem.status() >= 500) {
            LOG.log(Level.SEVERE, "NOVA-5001 request failed, problem instance " + instance, thrown);
        } else {
            LOG.fine(() -> "request rejected (" + problem.status() + "): " + problem.detail() + " [" + instance + "]");
        }
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }

    static Problem describe(Throwable thrown, String instance) {
        NovaException nova = find(thrown, NovaException.class);
        if (nova != null) {
            return problem(
                    nova.kind().name().toLowerCase().replace('_', '-'),
                    nova.title(),
                    status(nova.kind()),
                    nova.getMessage(),
                    instance);
        }
        if (find(thrown, JsonbException.class) != null || find(thrown, JsonParsingException.class) != null) {
            return problem(
                    "malformed-json",
                    "Malformed JSON",
                    400,
                    "the request body is not valid JSON of the expected shape",
                    instance);
        }
        if (thrown instanceof WebApplicationException web) {
            Response.StatusType status = web.getResponse().getStatusInfo();
            if (status.getStatusCode() == 400 && thrown.getCause() instanceof ProcessingException) {
                return problem(
                        "malformed-json",
                        "Malformed JSON",
                        400,
                        "the request body is not valid JSON of the expected shape",
                        instance);
            }
            return problem(
                    "http-" + status.getStatusCode(),
                    status.getReasonPhrase(),
                    status.getStatusCode(),
                    web.getMessage(),
                    instance);
        }
        return problem(
                "internal",
                "Internal error",
                500,
                "the request failed on the server; see the log for problem " + instance,
                instance);
    }

    private static Problem problem(String type, String title, int status, String detail, String instance) {
        return new Problem("urn:nova:problem:" + type, title, status, detail, instance);
    }

    private static int status(NovaException.Kind kind) {
        return switch (kind) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNAVAILABLE -> 503;
        };
    }

    private static <T extends Throwable> T find(Throwable thrown, Class<T> type) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
