/**
 * Rate limiting of everything Nova sends to an exchange, cluster-wide.
 *
 * <p>Every outbound frame and every connect passes the node's {@link dev.nova.ratelimit.OutboundGate}, the
 * {@link dev.nova.ratelimit.RateLimitedGate}: the {@link dev.nova.ratelimit.CostModel} names the budget a request
 * draws from (Deribit credits per account, Binance connections per egress IP and messages per connection) and its
 * cost; the request goes when the budget admits it, waits in priority order on its node, or is rejected unsent.
 * {@link dev.nova.ratelimit.RateLimiter} is the seed's {@code check}/{@code update} API over the same budgets.
 *
 * <p>Why these parts. A budget is a token bucket, and Bucket4j is the well-kept implementation of one (refill,
 * estimates, debt, consume-as-much-as-possible), so Nova does not write its own. Bucket4j publishes an Infinispan
 * module only for Infinispan 15, so {@link dev.nova.ratelimit.InfinispanBuckets} binds Bucket4j's remote commands
 * to Infinispan 16 the same way: a functional-map {@code eval} per command, run atomically under the key's lock by
 * its primary owner (one cluster round trip) and replayed on the other members of the replicated cache, with the
 * caller's clock inside the command so every replica computes the same state. Infinispan's clustered counters
 * (published for 16.0.x only) were the alternative: a counter holds a number, not a refilling bucket, so refill
 * would need a timer owned by some node, or a read and a compare-and-set (two round trips, retried under
 * contention); a bounded strong counter cannot leave a reserve for heartbeats either.
 */
package dev.nova.ratelimit;
