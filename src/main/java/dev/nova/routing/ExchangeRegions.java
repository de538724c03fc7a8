package dev.nova.routing;

import java.util.List;

/**
 * An exchange's regions: the one nearest to it, then the others in order of preference.
 *
 * @param primary the region nearest the exchange, or null when not configured
 */
public record ExchangeRegions(String primary, List<String> failover) {

    public static final ExchangeRegions NONE = new ExchangeRegions(null, List.of());

    public ExchangeRegions {
        failover = List.copyOf(failover);
    }
}
