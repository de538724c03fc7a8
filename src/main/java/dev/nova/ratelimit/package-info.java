/**
 * The exchanges' limits, enforced cluster-wide. Every outbound frame and connect passes the node's
 * {@code RateLimitedGate}: the {@code CostModel} names the budget a request draws from and its cost; the request
 * goes when the budget admits it, waits in priority order on its node, or is rejected unsent. A budget is a Bucket4j
 * token bucket kept in Infinispan ({@code InfinispanBuckets}): one atomic command on the bucket's primary owner per
 * call. {@code RateLimiter} is the seed's {@code check}/{@code update} API over the same budgets.
 */
package dev.nova.ratelimit;
