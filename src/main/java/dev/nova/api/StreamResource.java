package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.client.ClientRegistry;
import dev.nova.config.NovaSettings;
import dev.nova.platform.Platform;
import dev.nova.stream.StreamFilter;
import dev.nova.stream.StreamHub;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Market data as Server-Sent Events: {@code GET /api/stream?channel=…}. */
@Path("stream")
@ApplicationScoped
@Tag(name = "stream", description = "Market data as Server-Sent Events")
public class StreamResource {

    private final StreamHub hub;
    private final NovaSettings settings;
    private final ClientRegistry clients;

    @Inject
    public StreamResource(StreamHub hub, NovaSettings settings, ClientRegistry clients) {
        this.hub = hub;
        this.settings = settings;
        this.clients = clients;
    }

    protected StreamResource() {
        this(null, null, null);
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(
            summary = "Stream market data",
            description = "Events are 'message' with id = exchange sequence "
                    + "and data {channel, client, sequence, receivedAt, gap, data}; keep-alive comments when idle. A "
                    + "channel nobody subscribes yet is allowed: the stream waits for it.")
    @APIResponse(responseCode = "200", description = "text/event-stream")
    @APIResponse(responseCode = "400", description = "No channel, or a channel no exchange knows")
    @APIResponse(responseCode = "404", description = "client= names no client")
    public void stream(
            @Parameter(description = "channel to receive; repeatable", required = true) @QueryParam("channel")
                    List<String> channels,
            @Parameter(description = "only this client's messages") @QueryParam("client") String client,
            @Context SseEventSink sink,
            @Context Sse sse) {
        Set<String> wanted = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (String channel : channels == null ? List.<String>of() : channels) {
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
        String only = client == null || client.isBlank() ? null : client;
        if (only != null && clients.find(only).isEmpty()) {
            throw NovaException.notFound("client '" + only + "' does not exist; leave out client= to receive the "
                    + "channel from any client");
        }
        hub.open(new StreamFilter(wanted, only), sink, sse);
    }

    /** A channel must be valid on at least one exchange. */
    private Optional<String> check(String channel) {
        if (channel == null || channel.isBlank()) {
            return Optional.of("channel must not be empty");
        }
        for (Platform platform : Platform.values()) {
            if (settings.platforms().adapter(platform).checkChannel(channel).isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.of("'" + channel + "' is not a channel of any supported exchange (Deribit e.g. "
                + "book.BTC-PERPETUAL.100ms, Binance e.g. btcusdt@trade)");
    }
}
