package dev.nova.ownership;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code nova.loadbalancing.*} keys: what the coordinator does, beyond placing new clients, to spread the clients
 * over the members ({@link Rebalancer}).
 *
 * @param strategy {@code none} (placement only), {@code least_connections} or {@code market_hours}
 * @param interval how often least_connections compares the members; the span market_hours spreads its moves over;
 *     and how long a member that joined or returned waits before it counts
 * @param maxImbalance how far above the mean a member's load may be before it gives clients away (0.2: 20 %)
 * @param maxMoves moves per interval (least_connections)
 * @param markets the trading day (market_hours; empty otherwise)
 */
public record LoadBalancing(
        Strategy strategy, Duration interval, double maxImbalance, int maxMoves, MarketHours markets) {

    /** The strategies of the seed's {@code load_balancing}. */
    public enum Strategy {
        NONE,
        LEAST_CONNECTIONS,
        MARKET_HOURS;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Placement only: today's behaviour. */
    public static final LoadBalancing NONE =
            new LoadBalancing(Strategy.NONE, Duration.ofMinutes(1), 0.2, 2, MarketHours.NONE);

    private static final long DAY_MS = 86_400_000L;

    /** Reads the keys; a bad value is a {@link ConfigException} naming its key. */
    public static LoadBalancing read(ConfigReader config) {
        String raw = config.optional("nova.loadbalancing.strategy").orElse("none");
        Strategy strategy =
                switch (raw.toLowerCase(Locale.ROOT)) {
                    case "none" -> Strategy.NONE;
                    case "least_connections" -> Strategy.LEAST_CONNECTIONS;
                    case "market_hours" -> Strategy.MARKET_HOURS;
                    default -> throw new ConfigException(
                            "nova.loadbalancing.strategy",
                            "'" + raw + "' is none of none, least_connections, market_hours");
                };
        Duration interval =
                config.optional("nova.loadbalancing.rebalance-interval").isPresent()
                        ? config.millis("nova.loadbalancing.rebalance-interval", 1000, DAY_MS)
                        : NONE.interval();
        double maxImbalance =
                config.optional("nova.loadbalancing.max-imbalance").isPresent()
                        ? config.doubleValue("nova.loadbalancing.max-imbalance", 0, 10)
                        : NONE.maxImbalance();
        int maxMoves = config.optional("nova.loadbalancing.max-moves").isPresent()
                ? config.intValue("nova.loadbalancing.max-moves", 1, 10_000)
                : NONE.maxMoves();
        MarketHours markets = MarketHours.read(config);
        if (strategy == Strategy.MARKET_HOURS && markets.isEmpty()) {
            throw new ConfigException(
                    "nova.loadbalancing.markets",
                    "strategy market_hours needs markets, e.g. asian,european,american, each with "
                            + "nova.loadbalancing.market.<name>.active-hours and .primary-region");
        }
        return new LoadBalancing(
                strategy,
                interval,
                maxImbalance,
                maxMoves,
                strategy == Strategy.MARKET_HOURS ? markets : MarketHours.NONE);
    }
}
