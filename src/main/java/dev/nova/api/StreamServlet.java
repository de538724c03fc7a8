package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.ownership.ClientRegistry;
import dev.nova.platform.Json;
import dev.nova.platform.Platform;
import dev.nova.platform.PlatformCatalog;
import dev.nova.stream.StreamFilter;
import dev.nova.stream.StreamHub;
import dev.nova.telemetry.ClusterEvent;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The two Server-Sent Event streams, {@code GET /api/stream?channel=…} (market data) and {@code GET /api/events}
 * (cluster events). They are a servlet rather than JAX-RS resources so that a stream is written with Servlet
 * non-blocking I/O, many queued events per write (JAX-RS' SSE writer costs a write and a flush per event and a
 * method call per byte). Bad requests get the same {@code application/problem+json} as the rest of the API. The
 * OpenAPI document describes both (META-INF/openapi.yaml).
 */
@WebServlet(
        urlPatterns = {StreamServlet.STREAM, StreamServlet.EVENTS},
        asyncSupported = true)
public class StreamServlet extends HttpServlet {

    static final String STREAM = "/api/stream";
    static final String EVENTS = "/api/events";

    @Inject
    private StreamHub hub;

    @Inject
    private PlatformCatalog platforms;

    @Inject
    private ClientRegistry clients;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"GET".equals(request.getMethod())) {
            response.setHeader("Allow", "GET");
            write(
                    response,
                    new Problem(
                            "urn:nova:problem:method-not-allowed",
                            "Method not allowed",
                            405,
                            request.getMethod() + " is not allowed on " + request.getServletPath() + "; allowed: GET",
                            instance()));
            return;
        }
        boolean events = EVENTS.equals(request.getServletPath());
        Set<String> types = Set.of();
        StreamFilter filter = null;
        Long lastEventId = null;
        try {
            if (events) {
                types = types(request);
            } else {
                filter = filter(request);
                lastEventId = lastEventId(request);
            }
        } catch (NovaException e) {
            write(response, ProblemMapper.describe(e, instance()));
            return;
        }
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        // The consumer sees the stream open at once, not at its first event.
        response.flushBuffer();
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        ServletEventSink sink = new ServletEventSink(async);
        if (events) {
            hub.openEvents(types, sink);
        } else {
            hub.open(filter, sink, lastEventId);
        }
    }

    private StreamFilter filter(HttpServletRequest request) {
        String[] given = request.getParameterValues("channel");
        Set<String> wanted = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (String channel : given == null ? new String[0] : given) {
            Optional<String> problem = check(channel);
            if (problem.isPresent()) {
                problems.add(problem.get());
            } else {
                wanted.add(channel);
            }
        }
        if (!problems.isEmpty()) {
            throw NovaException.invalid(String.join("; ", problems));
        }
        if (wanted.isEmpty()) {
            throw NovaException.invalid("at least one channel query parameter is required, e.g. "
                    + "/api/stream?channel=book.BTC-PERPETUAL.100ms");
        }
        String client = request.getParameter("client");
        String only = client == null || client.isBlank() ? null : client;
        if (only != null && clients.find(only).isEmpty()) {
            throw NovaException.notFound("client '" + only + "' does not exist; leave out client= to receive the "
                    + "channel from any client");
        }
        return new StreamFilter(wanted, only);
    }

    /**
     * Where a reconnecting consumer stopped: the {@code Last-Event-ID} header an EventSource sends, or the
     * {@code lastEventId} query parameter (a first connection cannot set headers); null when neither is given.
     */
    private static Long lastEventId(HttpServletRequest request) {
        String given = request.getHeader("Last-Event-ID");
        if (given == null || given.isBlank()) {
            given = request.getParameter("lastEventId");
        }
        if (given == null || given.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(given.trim());
        } catch (NumberFormatException e) {
            throw NovaException.invalid("Last-Event-ID '" + given + "' is not an event id of this stream: ids are "
                    + "the exchange sequence numbers Nova sends as 'id:'");
        }
    }

    /** A channel must be valid on at least one exchange. */
    private Optional<String> check(String channel) {
        if (channel == null || channel.isBlank()) {
            return Optional.of("channel must not be empty");
        }
        for (Platform platform : Platform.values()) {
            if (platforms.adapter(platform).checkChannel(channel).isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.of("'" + channel + "' is not a channel of any supported exchange (Deribit e.g. "
                + "book.BTC-PERPETUAL.100ms, Binance e.g. btcusdt@trade)");
    }

    private static Set<String> types(HttpServletRequest request) {
        String[] given = request.getParameterValues("type");
        Set<String> wanted = new LinkedHashSet<>();
        for (String type : given == null ? new String[0] : given) {
            if (!ClusterEvent.TYPES.contains(type)) {
                throw NovaException.invalid("'" + type + "' is not an event type; types are " + ClusterEvent.TYPES);
            }
            wanted.add(type);
        }
        return wanted;
    }

    private static String instance() {
        return "urn:uuid:" + UUID.randomUUID();
    }

    /** The API's problem document, as ProblemMapper writes it for the JAX-RS resources. */
    static void write(HttpServletResponse response, Problem problem) throws IOException {
        StringBuilder json = new StringBuilder(256).append("{\"type\":");
        Json.appendQuoted(json, problem.type()).append(",\"title\":");
        Json.appendQuoted(json, problem.title()).append(",\"status\":").append(problem.status());
        json.append(",\"detail\":");
        Json.appendQuoted(json, problem.detail()).append(",\"instance\":");
        Json.appendQuoted(json, problem.instance()).append('}');
        response.setStatus(problem.status());
        response.setContentType(Problem.MEDIA_TYPE);
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(json.toString().getBytes(StandardCharsets.UTF_8));
    }
}
