package dev.nova.api;

import jakarta.annotation.Priority;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * What every write to the API passes before a resource sees it, and what is logged after it. Browsers hold the
 * operators' credentials (the dashboard), so a write must not be one another site can make a browser send: an
 * {@code Origin} other than this node's own address is refused (403), and a body must be {@code application/json}
 * (415; a cross-site form can only send form or text bodies without asking first). A body over 64 KiB is refused
 * (413) before it is read. Every write that reached a resource is logged with the user, what was asked and the
 * answer's status, secrets masked: {@code NOVA-4010}.
 */
@Provider
@Priority(Priorities.AUTHORIZATION + 10)
public class WriteGuard implements ContainerRequestFilter, ContainerResponseFilter {

    /** The largest request body accepted. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Logger AUDIT = Logger.getLogger("dev.nova.audit");
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final String BODY = WriteGuard.class.getName() + ".body";
    /** A member name that says its value is a secret: masked in the audit line, whatever the value. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(secret|password|token|key).*");

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        if (READS.contains(request.getMethod())) {
            return;
        }
        String origin = request.getHeaderString("Origin");
        if (origin != null && !sameOrigin(origin, request.getUriInfo().getBaseUri())) {
            request.abortWith(ProblemMapper.answer(
                    "origin-refused",
                    "Origin refused",
                    403,
                    "a write from " + origin + " is refused: writes are accepted only from this node's own pages ("
                            + origin(request.getUriInfo().getBaseUri()) + ") or from clients that send no Origin"));
            return;
        }
        if (request.getLength() > MAX_BODY_BYTES) {
            request.abortWith(tooLarge(request.getLength()));
            return;
        }
        byte[] body = read(request.getEntityStream());
        if (body == null) {
            request.abortWith(tooLarge(-1));
            return;
        }
        if (body.length > 0 && !json(request.getMediaType())) {
            request.abortWith(ProblemMapper.answer(
                    "unsupported-media-type",
                    "Unsupported media type",
                    415,
                    "a write's body must be application/json, not "
                            + (request.getMediaType() == null ? "untyped" : request.getMediaType())));
            return;
        }
        request.setEntityStream(new ByteArrayInputStream(body));
        request.setProperty(BODY, body);
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (READS.contains(request.getMethod())) {
            return;
        }
        Principal user = request.getSecurityContext() == null
                ? null
                : request.getSecurityContext().getUserPrincipal();
        byte[] body = (byte[]) request.getProperty(BODY);
        String asked = body == null || body.length == 0 ? "" : " " + masked(new String(body, StandardCharsets.UTF_8));
        AUDIT.info(() -> "NOVA-4010 audit: " + (user == null ? "(no user)" : user.getName()) + " "
                + request.getMethod() + " "
                + request.getUriInfo().getRequestUri().getRawPath() + asked + " -> "
                + response.getStatus());
    }

    /**
     * The JSON body on one line, the value of every member named like a secret replaced by {@code "****"} (names as
     * the parser reads them, escapes resolved). A body that is not JSON is not shown at all, only its length: its
     * text could hold a secret that no member name marks.
     */
    static String masked(String body) {
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            return mask(reader.readValue()).toString();
        } catch (JsonException | IllegalStateException notJson) {
            return "(" + body.length() + " characters, not JSON)";
        }
    }

    private static JsonValue mask(JsonValue value) {
        if (value instanceof JsonObject object) {
            JsonObjectBuilder masked = Json.createObjectBuilder();
            object.forEach((name, member) ->
                    masked.add(name, SECRET_NAME.matcher(name).matches() ? Json.createValue("****") : mask(member)));
            return masked.build();
        }
        if (value instanceof JsonArray array) {
            JsonArrayBuilder masked = Json.createArrayBuilder();
            array.forEach(element -> masked.add(mask(element)));
            return masked.build();
        }
        return value;
    }

    /** Whether {@code origin} is the scheme, host and port the request was sent to. */
    static boolean sameOrigin(String origin, URI base) {
        return origin.toLowerCase(Locale.ROOT).equals(origin(base));
    }

    private static String origin(URI base) {
        int port = base.getPort();
        String scheme = base.getScheme().toLowerCase(Locale.ROOT);
        boolean standard =
                port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + base.getHost().toLowerCase(Locale.ROOT) + (standard ? "" : ":" + port);
    }

    private static boolean json(MediaType type) {
        return type != null
                && type.getType().equalsIgnoreCase("application")
                && type.getSubtype().equalsIgnoreCase("json");
    }

    /** The whole body, or null when it is longer than {@link #MAX_BODY_BYTES} (a chunked body without a length). */
    private static byte[] read(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    private static jakarta.ws.rs.core.Response tooLarge(int length) {
        return ProblemMapper.answer(
                "payload-too-large",
                "Payload too large",
                413,
                "the body " + (length > 0 ? "is " + length + " bytes" : "is longer than that") + "; at most "
                        + MAX_BODY_BYTES + " bytes (64 KiB) are accepted");
    }
}
