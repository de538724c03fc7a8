package dev.nova.ownership;

import dev.nova.model.ClientSpec;
import dev.nova.platform.Platform;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Picks the node for a client: its {@code preferred-region}; else, under {@code market_hours}, the primary region of
 * the market active now for its exchange ({@link MarketHours}); then, when it is region aware, its exchange's
 * {@code primary-region} and failover regions in order; then any node. Among the nodes of the first region that has
 * any, the one running the fewest clients (ties by name).
 */
public final class Placement {

    /** A candidate node: its name, region and how many clients it runs. */
    public record Candidate(String name, String region, int clients) {}

    private final Map<Platform, ExchangeRegions> exchanges;
    private final MarketHours markets;
    private final Clock clock;

    public Placement(Map<Platform, ExchangeRegions> exchanges) {
        this(exchanges, MarketHours.NONE, Clock.systemUTC());
    }

    public Placement(Map<Platform, ExchangeRegions> exchanges, MarketHours markets, Clock clock) {
        this.exchanges = Map.copyOf(exchanges);
        this.markets = markets;
        this.clock = clock;
    }

    public MarketHours markets() {
        return markets;
    }

    public Clock clock() {
        return clock;
    }

    /** The regions a client should run in, most preferred first. */
    public List<String> regionsFor(ClientSpec spec) {
        return regionsFor(spec, clock.instant());
    }

    /** The same at {@code now} (one reading of the clock for many clients). */
    List<String> regionsFor(ClientSpec spec, Instant now) {
        Set<String> order = new LinkedHashSet<>();
        if (spec.preferredRegion() != null) {
            order.add(spec.preferredRegion());
        } else {
            markets.active(spec.platform(), now).ifPresent(m -> order.add(m.primaryRegion()));
        }
        if (spec.regionAware()) {
            ExchangeRegions regions = exchanges.getOrDefault(spec.platform(), ExchangeRegions.NONE);
            if (regions.primary() != null) {
                order.add(regions.primary());
            }
            order.addAll(regions.failover());
        }
        return new ArrayList<>(order);
    }

    /**
     * The candidates a client may run on at {@code now}: those of the first of its regions that has any, or every
     * candidate when none has.
     */
    List<Candidate> eligible(ClientSpec spec, List<Candidate> candidates, Instant now) {
        for (String region : regionsFor(spec, now)) {
            List<Candidate> inRegion =
                    candidates.stream().filter(c -> region.equals(c.region())).toList();
            if (!inRegion.isEmpty()) {
                return inRegion;
            }
        }
        return candidates;
    }

    /** The node for the client among the candidates, or empty when there are none. */
    public Optional<String> choose(ClientSpec spec, List<Candidate> candidates) {
        return eligible(spec, candidates, clock.instant()).stream()
                .min(Comparator.comparingInt(Candidate::clients).thenComparing(Candidate::name))
                .map(Candidate::name);
    }
}
