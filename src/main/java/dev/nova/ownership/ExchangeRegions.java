package dev.nova.ownership;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.model.Names;
import dev.nova.platform.Platform;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Reads {@code nova.exchanges.<platform>.primary-region} and {@code .failover-regions} for every platform; a bad
     * value is a {@link ConfigException} naming its key.
     */
    public static Map<Platform, ExchangeRegions> read(ConfigReader config) {
        Map<Platform, ExchangeRegions> exchanges = new EnumMap<>(Platform.class);
        for (Platform platform : Platform.values()) {
            String prefix = "nova.exchanges." + platform.id() + ".";
            String primary = config.optional(prefix + "primary-region")
                    .map(r -> config.matching(prefix + "primary-region", Names.NAME, "a valid region name"))
                    .orElse(null);
            List<String> failover = config.list(prefix + "failover-regions");
            for (String region : failover) {
                if (!Names.isRegion(region)) {
                    throw new ConfigException(prefix + "failover-regions", "'" + region + "' is not a region name");
                }
            }
            exchanges.put(platform, new ExchangeRegions(primary, failover));
        }
        return exchanges;
    }
}
