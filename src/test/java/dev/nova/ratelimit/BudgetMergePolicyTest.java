package dev.nova.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.model.ClientSpec;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.container.entries.ImmortalCacheEntry;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The merge of a budget both sides of a split drew from: real Bucket4j states, drawn by two limiters on caches of
 * their own (the two sides), handed to the policy as Infinispan's conflict resolution would.
 */
class BudgetMergePolicyTest {

    private static final ClientSpec CLIENT = Limits.deribitClient("a", "acct");

    private DefaultCacheManager caches;

    @BeforeEach
    void start() {
        caches = new DefaultCacheManager(
                new GlobalConfigurationBuilder().nonClusteredDefault().build(), false);
        for (String name : List.of("left", "right", "local")) {
            caches.defineConfiguration(name, new ConfigurationBuilder().build());
        }
        caches.start();
    }

    @AfterEach
    void stop() {
        caches.stop();
    }

    /** The shared budget's state after {@code subscribes} subscribe requests drawn on one side. */
    private CacheEntry<String, byte[]> side(String cache, int subscribes) {
        Cache<String, byte[]> shared = caches.getCache(cache);
        RateLimiter limiter =
                new RateLimiter(new CostModel(Limits.deribit(5000, 1, 500, 0, 0)), shared, caches.getCache("local"));
        Draw draw = limiter.draw(Operation.SUBSCRIBE, CLIENT, "a#0", null).orElseThrow();
        for (int i = 0; i < subscribes; i++) {
            limiter.record(draw).join();
        }
        String key = draw.scope().key();
        return new ImmortalCacheEntry(key, shared.get(key));
    }

    @Test
    void theSideThatSpentMoreWinsWhicheverSideIsPreferred() {
        CacheEntry<String, byte[]> spentOne = side("left", 1);
        CacheEntry<String, byte[]> spentFour = side("right", 4);
        BudgetMergePolicy policy = new BudgetMergePolicy();
        long now = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());

        assertThat(BudgetMergePolicy.remaining(spentOne, now))
                .isGreaterThan(BudgetMergePolicy.remaining(spentFour, now));
        assertThat(policy.merge(spentOne, List.of(spentFour))).isSameAs(spentFour);
        assertThat(policy.merge(spentFour, List.of(spentOne))).isSameAs(spentFour);
    }

    @Test
    void bucketsAreComparedAtTheSameInstantAfterRefilling() {
        CacheEntry<String, byte[]> spentTwo = side("left", 2);
        CacheEntry<String, byte[]> spentThree = side("right", 3);
        // Ten seconds later both have refilled 10 credits (1 per second) and still differ by one request's cost.
        long later = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() + 10_000);

        assertThat(BudgetMergePolicy.remaining(spentTwo, later) - BudgetMergePolicy.remaining(spentThree, later))
                .isBetween(400L, 500L);
        assertThat(new BudgetMergePolicy(() -> later).merge(spentTwo, List.of(spentThree)))
                .isSameAs(spentThree);
    }

    @Test
    void aBucketOnlyOneSideHasIsKept() {
        CacheEntry<String, byte[]> drawn = side("left", 1);

        assertThat(new BudgetMergePolicy().merge(null, Arrays.asList(null, drawn)))
                .isSameAs(drawn);
        assertThat(new BudgetMergePolicy().merge(drawn, Arrays.asList((CacheEntry<String, byte[]>) null)))
                .isSameAs(drawn);
    }
}
