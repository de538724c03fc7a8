package dev.nova.it.support;

import dev.nova.stream.MarketMessage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only bean deployed beside Nova by the container tests: observes {@link MarketMessage} CDI events and
 * tells, over HTTP, how many arrived per channel and the last sequence. Never part of the product WAR.
 */
@ApplicationScoped
@Path("test/events")
public class EventProbe {

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastSequence = new ConcurrentHashMap<>();

    void onMessage(@Observes MarketMessage message) {
        counts.computeIfAbsent(message.channel(), c -> new AtomicLong()).incrementAndGet();
        lastSequence.computeIfAbsent(message.channel(), c -> new AtomicLong()).set(message.sequence());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Long> count(@QueryParam("channel") String channel) {
        AtomicLong count = counts.get(channel);
        AtomicLong last = lastSequence.get(channel);
        return Map.of("count", count == null ? 0 : count.get(), "lastSequence", last == null ? -1 : last.get());
    }
}
