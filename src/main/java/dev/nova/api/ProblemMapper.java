package dev.nova.api;

import dev.nova.NovaException;
import jakarta.json.bind.JsonbException;
import jakarta.json.stream.JsonParsingException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.infinispan.commons.IllegalLifecycleStateException;

/**
 * Turns every exception that leaves a resource into {@code application/problem+json}: Nova's own failures keep
 * their message, malformed JSON becomes a 400 naming what was wrong where it can, JAX-RS errors get Nova's words
 * (and a 405 its {@code Allow} header), a node starting or stopping answers 503, and anything else is a 500 whose
 * details stay in the log under the instance id (never a stack trace to the caller). 4xx and Nova's own 503s (a
 * paused side refusing writes) are logged at FINE, other 5xx at SEVERE.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class.getName());
    /** Yasson's message for a property the target type does not have ("Json property x can not be mapped"). */
    private static final Pattern UNKNOWN_PROPERTY = Pattern.compile("Json property (\\S+) can not be mapped");

    @Context
    private UriInfo uri;

    @Context
    private Request request;

    @Override
    public Response toResponse(Throwable thrown) {
        String instance = "urn:uuid:" + UUID.randomUUID();
        String where = uri == null ? "this path" : uri.getRequestUri().getPath();
        String method = request == null ? "this method" : request.getMethod();
        Problem problem = describe(thrown, instance, method, where);
        if (problem.status() >= 500 && !expected(thrown)) {
            LOG.log(Level.SEVERE, "NOVA-5001 request failed, problem instance " + instance, thrown);
        } else {
            LOG.fine(() -> "request rejected (" + problem.status() + "): " + problem.detail() + " [" + instance + "]");
        }
        Response.ResponseBuilder response =
                Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
        if (thrown instanceof NotAllowedException notAllowed) {
            response.header(HttpHeaders.ALLOW, String.join(", ", allowed(notAllowed)));
        }
        return response.build();
    }

    /**
     * A refusal Nova means (a paused side, no node to place on) or a node starting or stopping: a 503 the caller is
     * told about, not a failure to log with its stack.
     */
    private static boolean expected(Throwable thrown) {
        return find(thrown, NovaException.class) != null || find(thrown, IllegalLifecycleStateException.class) != null;
    }

    static Problem describe(Throwable thrown, String instance) {
        return describe(thrown, instance, "this method", "this path");
    }

    static Problem describe(Throwable thrown, String instance, String method, String where) {
        NovaException nova = find(thrown, NovaException.class);
        if (nova != null) {
            return problem(
                    nova.kind().name().toLowerCase().replace('_', '-'),
                    nova.title(),
                    status(nova.kind()),
                    nova.getMessage(),
                    instance);
        }
        JsonbException binding = find(thrown, JsonbException.class);
        if (binding != null
                || find(thrown, JsonParsingException.class) != null
                || (thrown instanceof WebApplicationException web
                        && web.getResponse().getStatus() == 400
                        && thrown.getCause() instanceof ProcessingException)) {
            return problem("malformed-json", "Malformed JSON", 400, malformedDetail(thrown), instance);
        }
        if (find(thrown, IllegalLifecycleStateException.class) != null) {
            return problem(
                    "unavailable",
                    "Service unavailable",
                    503,
                    "the node is starting or stopping; try again shortly",
                    instance);
        }
        if (thrown instanceof NotFoundException) {
            return problem("not-found", "Not found", 404, "there is no resource at " + where, instance);
        }
        if (thrown instanceof NotAllowedException notAllowed) {
            return problem(
                    "method-not-allowed",
                    "Method not allowed",
                    405,
                    method + " is not allowed on " + where + "; allowed: " + String.join(", ", allowed(notAllowed)),
                    instance);
        }
        if (thrown instanceof NotSupportedException) {
            return problem(
                    "unsupported-media-type",
                    "Unsupported media type",
                    415,
                    "send the body as JSON with the header Content-Type: application/json",
                    instance);
        }
        if (thrown instanceof NotAcceptableException) {
            return problem(
                    "not-acceptable",
                    "Not acceptable",
                    406,
                    "this resource answers application/json (or text/event-stream for streams)",
                    instance);
        }
        if (thrown instanceof WebApplicationException web) {
            Response.StatusType status = web.getResponse().getStatusInfo();
            return problem(
                    "http-" + status.getStatusCode(),
                    status.getReasonPhrase(),
                    status.getStatusCode(),
                    status.getReasonPhrase(),
                    instance);
        }
        return problem(
                "internal",
                "Internal error",
                500,
                "the request failed on the server; see the log for problem " + instance,
                instance);
    }

    /** Names the offending field when the binder said which; never echoes class names. */
    private static String malformedDetail(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null) {
                Matcher unknown = UNKNOWN_PROPERTY.matcher(message);
                if (unknown.find()) {
                    return "unknown field '" + unknown.group(1) + "' in the request body";
                }
            }
        }
        return "the request body is not valid JSON of the expected shape (check field names and types)";
    }

    private static Set<String> allowed(NotAllowedException notAllowed) {
        Set<String> methods = new TreeSet<>(notAllowed.getResponse().getAllowedMethods());
        methods.remove("OPTIONS");
        methods.remove("HEAD");
        return methods;
    }

    /** A problem answer made outside an exception: a refusal by a filter. */
    static jakarta.ws.rs.core.Response answer(String type, String title, int status, String detail) {
        return Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .entity(problem(type, title, status, detail, "urn:uuid:" + UUID.randomUUID()))
                .build();
    }

    static Problem problem(String type, String title, int status, String detail, String instance) {
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
