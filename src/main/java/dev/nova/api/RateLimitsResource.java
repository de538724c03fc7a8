package dev.nova.api;

import dev.nova.NovaException;
import dev.nova.api.Dtos.RateLimitBudget;
import dev.nova.api.Dtos.RateLimitDecision;
import dev.nova.api.Dtos.RateLimitRequest;
import dev.nova.client.ClientService;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.platform.Platform;
import dev.nova.ratelimit.Decision;
import dev.nova.ratelimit.Draw;
import dev.nova.ratelimit.Operation;
import dev.nova.ratelimit.RateLimitedGate;
import dev.nova.ratelimit.RateLimiter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The rate limiter: {@code /api/ratelimits}. */
@Path("ratelimits")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "ratelimits", description = "Cluster-wide exchange rate limits")
public class RateLimitsResource {

    private static final String OPERATIONS = String.join(
            ", ", Arrays.stream(Operation.values()).map(Operation::id).toList());

    private final RateLimiter limiter;
    private final RateLimitedGate gate;
    private final ClientService clients;

    @Inject
    public RateLimitsResource(RateLimiter limiter, RateLimitedGate gate, ClientService clients) {
        this.limiter = limiter;
        this.gate = gate;
        this.clients = clients;
    }

    protected RateLimitsResource() {
        this(null, null, null);
    }

    @POST
    @Path("check")
    @org.eclipse.microprofile.openapi.annotations.Operation(
            summary = "Check a budget",
            description = "Whether the operation of the client would be admitted now, and if not after how long; "
                    + "consumes nothing")
    @APIResponse(responseCode = "200", description = "The answer (allowed or rate limited)")
    @APIResponse(
            responseCode = "400",
            description = "Missing or unknown operation, missing client",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "404",
            description = "Unknown client",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RateLimitDecision check(RateLimitRequest body) {
        return decide(body, limiter::check);
    }

    @POST
    @Path("update")
    @org.eclipse.microprofile.openapi.annotations.Operation(
            summary = "Record an operation",
            description = "Takes the operation's cost from the client's budget, as the seed's update_rate_limit: "
                    + "the operation has been done, so it is recorded even beyond the budget (allowed=false then, "
                    + "and everyone drawing from the budget waits retryAfterMs)")
    @APIResponse(responseCode = "200", description = "What the budget holds after the operation")
    @APIResponse(
            responseCode = "400",
            description = "Missing or unknown operation, missing client",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "404",
            description = "Unknown client",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RateLimitDecision update(RateLimitRequest body) {
        return decide(body, limiter::record);
    }

    @GET
    @org.eclipse.microprofile.openapi.annotations.Operation(
            summary = "List budgets",
            description = "The budgets of every client in the cluster, and those this node draws from")
    public List<RateLimitBudget> list() {
        List<ClientSpec> specs = clients.list().stream().map(ClientRecord::spec).toList();
        return await(limiter.budgets(specs)).stream()
                .map(b -> new RateLimitBudget(
                        b.scope().key(),
                        b.scope().capacityUnits(),
                        b.available(),
                        b.scope().refillUnitsPerSecond(),
                        b.scope().unit(),
                        b.scope().shared(),
                        b.owner(),
                        gate.queued(b.scope().key())))
                .toList();
    }

    @GET
    @Path("latency")
    @org.eclipse.microprofile.openapi.annotations.Operation(
            summary = "Budget call latency",
            description = "Percentiles of the latest budget calls of this node (acquire: the gate's, check, update), "
                    + "from the call to the budget's answer, in microseconds")
    public Map<String, Dtos.CallLatency> latency() {
        Map<String, Dtos.CallLatency> result = new java.util.TreeMap<>();
        limiter.latencies()
                .forEach((call, s) -> result.put(
                        call,
                        new Dtos.CallLatency(
                                s.count(),
                                s.retained(),
                                s.percentileMicros(50),
                                s.percentileMicros(99),
                                s.percentileMicros(100))));
        return result;
    }

    @POST
    @Path("latency/reset")
    @org.eclipse.microprofile.openapi.annotations.Operation(
            summary = "Restart the latency figures",
            description = "Forgets the recorded budget call latencies of this node")
    @APIResponse(responseCode = "204", description = "Forgotten")
    public void resetLatency() {
        limiter.resetLatencies();
    }

    private RateLimitDecision decide(RateLimitRequest body, Function<Draw, CompletableFuture<Decision>> action) {
        if (body == null) {
            throw NovaException.invalid("a JSON body {operation, client} is required");
        }
        if (body.operation() == null || body.operation().isBlank()) {
            throw NovaException.invalid("operation is required: one of " + OPERATIONS);
        }
        Operation operation = Operation.fromId(body.operation())
                .orElseThrow(() ->
                        NovaException.invalid("operation '" + body.operation() + "' is unknown: one of " + OPERATIONS));
        if (body.client() == null || body.client().isBlank()) {
            throw NovaException.invalid("client is required");
        }
        ClientSpec spec = clients.get(body.client()).spec();
        String method = body.method();
        if (method != null) {
            if (method.isBlank()) {
                throw NovaException.invalid("method must not be blank");
            }
            if (spec.platform() != Platform.DERIBIT) {
                throw NovaException.invalid("method applies to deribit clients only; " + spec.name() + " is "
                        + spec.platform().id());
            }
        }
        Draw draw = limiter.draw(operation, spec, spec.name() + "#0", method).orElse(null);
        if (draw == null) {
            return new RateLimitDecision(true, 0, 0, null, 0);
        }
        Decision decision = await(action.apply(draw));
        return new RateLimitDecision(
                decision.allowed(), decision.retryAfterMs(), decision.remaining(), decision.scope(), decision.cost());
    }

    private <T> T await(CompletableFuture<T> future) {
        long timeout = limiter.costs().settings().timeout().toMillis() * 2;
        try {
            return future.get(timeout, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NovaException.unavailable("interrupted while reading the budget");
        } catch (TimeoutException e) {
            throw NovaException.unavailable("the budget did not answer within " + timeout + " ms");
        } catch (ExecutionException e) {
            throw NovaException.unavailable(
                    "the budget could not be read: " + e.getCause().getMessage());
        }
    }
}
