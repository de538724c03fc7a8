package dev.nova.ratelimit;

import dev.nova.cluster.CacheDeclaration;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.ClusterSettings;
import dev.nova.model.ClientSpec;
import dev.nova.telemetry.LatencyRecorder;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.distribution.DistributionInfo;
import org.infinispan.distribution.DistributionManager;

/**
 * The seed's rate limiter: {@code check(operation, client)} and {@code update(operation, client)} over budgets held
 * in the cluster. Each budget is a Bucket4j token bucket kept in Infinispan ({@link InfinispanBuckets}); every call
 * is one atomic command on the bucket's primary owner. Budgets that are per connection, and every budget when
 * {@code nova.cluster.distributed-rate-limits=false}, live in a local cache instead.
 */
@ApplicationScoped
public class RateLimiter {

    /** Budgets shared by the cluster (Bucket4j state by scope); local when they are not shared. */
    public static final String SHARED = "ratelimits";
    /** Budgets of this node only (per connection). */
    public static final String LOCAL = "ratelimits-local";

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(RateLimiter.class.getName());

    private final RateLimitSettings settings;
    private final ClusterRuntime cluster;
    private CostModel costs;
    private AsyncProxyManager<String> shared;
    private AsyncProxyManager<String> local;
    private final Map<String, AsyncBucketProxy> buckets = new ConcurrentHashMap<>();
    private final Map<String, Scope> used = new ConcurrentHashMap<>();
    private final Map<String, LatencyRecorder> latencies = Map.of(
            "acquire", new LatencyRecorder(8192),
            "check", new LatencyRecorder(8192),
            "update", new LatencyRecorder(8192));

    @Inject
    public RateLimiter(RateLimitSettings settings, ClusterRuntime cluster) {
        this.settings = settings;
        this.cluster = cluster;
    }

    protected RateLimiter() {
        this(null, null);
    }

    /** A limiter over the given caches, outside CDI (unit tests). */
    RateLimiter(CostModel costs, Cache<String, byte[]> sharedCache, Cache<String, byte[]> localCache) {
        this.settings = null;
        this.cluster = null;
        init(costs, sharedCache, localCache);
    }

    @PostConstruct
    void start() {
        RateLimitSettings limits = settings;
        init(new CostModel(limits), cluster.cache(SHARED), cluster.cache(LOCAL));
        LOG.info(() -> "NOVA-8000 rate limits " + (limits.distributed() ? "shared by the cluster" : "of this node only")
                + ", connection attempts paced " + (limits.sharedConnections() ? "cluster-wide" : "by each node")
                + ", " + Math.round(limits.safetyMargin() * 100) + " % below the exchanges' limits; egress address "
                + limits.egressAddress());
    }

    private void init(CostModel model, Cache<String, byte[]> sharedCache, Cache<String, byte[]> localCache) {
        costs = model;
        shared = new InfinispanBuckets(sharedCache, model.settings().timeout()).asAsync();
        local = new InfinispanBuckets(localCache, model.settings().timeout()).asAsync();
    }

    /**
     * Shared budgets: every member holds every bucket, so a lost member takes none with it; a command is applied by
     * the key's primary owner and replayed on the others. A paused side of a partition closes its sessions; where
     * both sides drew (partition handling {@code ignore}), the merge keeps the lower remaining budget: the side that
     * spent more never gets its credits back (what the other side spent is not added).
     */
    @Produces
    static CacheDeclaration shared(ClusterSettings cluster, RateLimitSettings limits) {
        boolean clustered = cluster.enabled() && (limits.distributed() || limits.sharedConnections());
        ConfigurationBuilder builder = CacheDeclaration.replicated(clustered);
        if (clustered) {
            builder.clustering()
                    .remoteTimeout(limits.timeout().toMillis())
                    .partitionHandling()
                    .mergePolicy(new BudgetMergePolicy());
        }
        return new CacheDeclaration(SHARED, builder.build(), new RateLimitSchemaImpl());
    }

    /** Per-connection budgets, which no other node draws from. */
    @Produces
    static CacheDeclaration local() {
        return CacheDeclaration.replicated(LOCAL, false, new RateLimitSchemaImpl());
    }

    public CostModel costs() {
        return costs;
    }

    /** The budget an operation of a client draws from, if the exchange limits it. */
    public Optional<Draw> draw(Operation operation, ClientSpec client, String connection, String method) {
        return costs.draw(operation, client, connection, method);
    }

    /** Whether the operation would be admitted now; consumes nothing. */
    public CompletableFuture<Decision> check(Draw draw) {
        Scope scope = draw.scope();
        return timed("check", bucket(scope).estimateAbilityToConsume(draw.cost() + draw.reserve()))
                .thenApply(probe -> new Decision(
                        probe.canBeConsumed(),
                        probe.canBeConsumed() ? 0 : millis(probe.getNanosToWaitForRefill()),
                        scope.units(probe.getRemainingTokens()),
                        scope.key(),
                        scope.units(draw.cost())));
    }

    /**
     * Takes the operation's cost if the budget holds it and the reserve stays; otherwise takes nothing and says
     * how long to wait. One cluster call, two when the cost would eat into the reserve (it is given back).
     */
    public CompletableFuture<Decision> tryAcquire(Draw draw) {
        Scope scope = draw.scope();
        AsyncBucketProxy bucket = bucket(scope);
        return timed("acquire", bucket.tryConsumeAndReturnRemaining(draw.cost()))
                .thenCompose(probe -> {
                    if (!probe.isConsumed()) {
                        long wait = millis(probe.getNanosToWaitForRefill()) + scope.millisToRefill(draw.reserve());
                        return CompletableFuture.completedFuture(denied(draw, wait, probe.getRemainingTokens()));
                    }
                    long remaining = probe.getRemainingTokens();
                    if (remaining >= draw.reserve()) {
                        return CompletableFuture.completedFuture(
                                new Decision(true, 0, scope.units(remaining), scope.key(), scope.units(draw.cost())));
                    }
                    long wait = scope.millisToRefill(draw.reserve() - remaining);
                    return bucket.addTokens(draw.cost()).thenApply(v -> denied(draw, wait, remaining + draw.cost()));
                });
    }

    /**
     * Records an operation that has been done (the seed's {@code update_rate_limit}): its cost is taken even when
     * the budget does not hold it, and the debt delays everyone drawing from the budget.
     */
    public CompletableFuture<Decision> record(Draw draw) {
        Scope scope = draw.scope();
        AsyncBucketProxy bucket = bucket(scope);
        return timed("update", bucket.tryConsumeAndReturnRemaining(draw.cost())).thenCompose(probe -> {
            if (probe.isConsumed()) {
                return CompletableFuture.completedFuture(new Decision(
                        true, 0, scope.units(probe.getRemainingTokens()), scope.key(), scope.units(draw.cost())));
            }
            return bucket.consumeIgnoringRateLimits(draw.cost())
                    .thenApply(penalty -> denied(draw, millis(penalty), probe.getRemainingTokens() - draw.cost()));
        });
    }

    /**
     * The exchange throttled a request of this budget anyway (Deribit 10028, Binance 429): empty the budget, so
     * every node waits for it to refill. Completes with the tokens taken.
     */
    public CompletableFuture<Long> backOff(Draw draw) {
        return bucket(draw.scope()).tryConsumeAsMuchAsPossible();
    }

    /** The state of budgets: those of the given clients, and every budget this node has drawn from. */
    public CompletableFuture<List<Budget>> budgets(Collection<ClientSpec> clients) {
        Map<String, Scope> scopes = new LinkedHashMap<>();
        for (ClientSpec client : clients) {
            for (Operation operation : List.of(Operation.CONNECT, Operation.SUBSCRIBE)) {
                costs.draw(operation, client, client.name() + "#0", null)
                        .map(Draw::scope)
                        .filter(scope -> scope.shared() || !scope.key().startsWith("binance:connection:"))
                        .ifPresent(scope -> scopes.putIfAbsent(scope.key(), scope));
            }
        }
        used.forEach(scopes::putIfAbsent);
        List<CompletableFuture<Budget>> reads = scopes.values().stream()
                .map(scope -> bucket(scope)
                        .getAvailableTokens()
                        .thenApply(tokens -> new Budget(scope, scope.units(tokens), owner(scope))))
                .toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(v -> reads.stream().map(CompletableFuture::join).toList());
    }

    /**
     * How long the budget calls took recently, by call ({@code acquire}: the gate's, {@code check},
     * {@code update}): the first cluster command of each, from the call to its answer.
     */
    public Map<String, LatencyRecorder.Snapshot> latencies() {
        Map<String, LatencyRecorder.Snapshot> snapshots = new java.util.TreeMap<>();
        latencies.forEach((call, recorder) -> snapshots.put(call, recorder.snapshot()));
        return snapshots;
    }

    /** Starts the latency figures afresh. */
    public void resetLatencies() {
        latencies.values().forEach(LatencyRecorder::reset);
    }

    private <T> CompletableFuture<T> timed(String call, CompletableFuture<T> command) {
        long start = System.nanoTime();
        LatencyRecorder recorder = latencies.get(call);
        return command.whenComplete((result, error) -> recorder.record(System.nanoTime() - start));
    }

    /** A budget and what it holds now. */
    public record Budget(Scope scope, double available, String owner) {}

    private Decision denied(Draw draw, long retryAfterMs, long remainingTokens) {
        Scope scope = draw.scope();
        return new Decision(
                false, Math.max(1, retryAfterMs), scope.units(remainingTokens), scope.key(), scope.units(draw.cost()));
    }

    private AsyncBucketProxy bucket(Scope scope) {
        used.putIfAbsent(scope.key(), scope);
        return buckets.computeIfAbsent(scope.key(), key -> (scope.shared() ? shared : local)
                .builder()
                .build(key, () -> CompletableFuture.completedFuture(scope.configuration())));
    }

    /** The member that holds a shared budget (its key's primary owner), or this node for local ones. */
    private String owner(Scope scope) {
        if (cluster == null) {
            return null;
        }
        Cache<String, byte[]> cache = cluster.cache(SHARED);
        if (!scope.shared() || !cluster.clustered()) {
            return cluster.identity().name();
        }
        DistributionManager distribution = cache.getAdvancedCache().getDistributionManager();
        if (distribution == null) {
            return cluster.identity().name();
        }
        DistributionInfo info = distribution.getCacheTopology().getDistribution(scope.key());
        return String.valueOf(info.primary());
    }

    private static long millis(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }
}
