package dev.nova.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The bodies of the container's refusals (web.xml sends its 401 and 403 here): {@code application/problem+json}
 * like every other error of the API, saying which role the request needs. The roles: {@code nova-reader} for every
 * read and stream (and rate-limit checks), {@code nova-admin} for everything. Also says at start which password
 * variables are unset: with none, that user cannot log in.
 */
@WebServlet(urlPatterns = "/errors/*")
public class AccessProblems extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(AccessProblems.class.getName());
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value ? value : 404;
        String uri = String.valueOf(request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
        String role = READS.contains(request.getMethod()) || uri.endsWith("/api/ratelimits/check")
                ? "nova-reader (or nova-admin)"
                : "nova-admin";
        Problem problem =
                switch (status) {
                    case 401 -> {
                        if (!response.containsHeader("WWW-Authenticate")) {
                            response.setHeader("WWW-Authenticate", "Basic realm=\"nova\"");
                        }
                        yield new Problem(
                                "urn:nova:problem:unauthenticated",
                                "Authentication required",
                                401,
                                request.getMethod() + " " + uri + " needs the credentials (HTTP Basic) of a user with "
                                        + "the role " + role,
                                instance());
                    }
                    case 403 -> new Problem(
                            "urn:nova:problem:forbidden",
                            "Forbidden",
                            403,
                            request.getMethod() + " " + uri + " needs the role " + role
                                    + (request.getRemoteUser() == null
                                            ? ""
                                            : "; " + request.getRemoteUser() + " does not have it"),
                            instance());
                    default -> new Problem(
                            "urn:nova:problem:not-found",
                            "Not found",
                            404,
                            "there is no resource at " + request.getRequestURI(),
                            instance());
                };
        StreamServlet.write(response, problem);
    }

    private static String instance() {
        return "urn:uuid:" + UUID.randomUUID();
    }

    /** Which users cannot log in because their password variable is unset (there is no default password). */
    @ApplicationScoped
    public static class PasswordCheck {

        void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
            Map<String, String> users = Map.of(
                    "NOVA_ADMIN_PASSWORD", "the admin user (NOVA_ADMIN_USER, default admin: every write)",
                    "NOVA_READER_PASSWORD", "the reader user (NOVA_READER_USER, default reader: reads and streams)");
            users.forEach((variable, who) -> {
                String value = System.getenv(variable);
                if (value == null || value.isBlank()) {
                    LOG.warning(() -> "NOVA-4001 " + variable + " is not set: " + who + " cannot log in, and the API "
                            + "answers 401 to it; set " + variable + " in the server's environment");
                }
            });
        }
    }
}
