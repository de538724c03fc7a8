package dev.nova.ownership;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.model.Names;
import dev.nova.platform.Platform;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The trading day of the {@code market_hours} strategy: markets, each active during a window of whole UTC hours (both
 * ends included, possibly wrapping midnight) and with a primary region, optionally for some exchanges only. When
 * several are active, the one whose window started last wins: the market that just opened takes the clients over.
 */
public final class MarketHours {

    /** No markets: placement by the exchange mapping alone. */
    public static final MarketHours NONE = new MarketHours(List.of());

    /**
     * One market.
     *
     * @param from first active UTC hour (0 to 23)
     * @param to last active UTC hour, included; below {@code from} when the window wraps midnight
     * @param exchanges the exchanges it applies to; empty for all
     */
    public record Market(String name, int from, int to, String primaryRegion, Set<Platform> exchanges) {

        /** Whether the market is active during this UTC hour. */
        public boolean activeAt(int hour) {
            return from <= to ? hour >= from && hour <= to : hour >= from || hour <= to;
        }

        boolean appliesTo(Platform platform) {
            return exchanges.isEmpty() || exchanges.contains(platform);
        }

        /** When the window that holds {@code now} opened (the last {@code from}:00 at or before now). */
        Instant openedBefore(Instant now) {
            ZonedDateTime hour = now.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
            ZonedDateTime opened = hour.withHour(from);
            return (opened.isAfter(hour) ? opened.minusDays(1) : opened).toInstant();
        }
    }

    /** The market active for an exchange now, and when the answer changes next. */
    public record Active(Optional<Market> market, Instant nextChange) {}

    private static final Pattern HOURS = Pattern.compile("(\\d{1,2})-(\\d{1,2})");

    private final List<Market> markets;

    public MarketHours(List<Market> markets) {
        this.markets = List.copyOf(markets);
    }

    public List<Market> markets() {
        return markets;
    }

    public boolean isEmpty() {
        return markets.isEmpty();
    }

    /** The market that places clients of {@code platform} at {@code now}: of the active ones, the latest opened. */
    public Optional<Market> active(Platform platform, Instant now) {
        int hour = now.atZone(ZoneOffset.UTC).getHour();
        return markets.stream()
                .filter(m -> m.appliesTo(platform) && m.activeAt(hour))
                .max(Comparator.comparing((Market m) -> m.openedBefore(now)));
    }

    /** The market active now for {@code platform} and the next whole hour at which that changes (within a day). */
    public Active schedule(Platform platform, Instant now) {
        Optional<Market> current = active(platform, now);
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        for (int ahead = 1; ahead <= 24; ahead++) {
            Instant next = hour.plus(ahead, ChronoUnit.HOURS);
            if (!active(platform, next).equals(current)) {
                return new Active(current, next);
            }
        }
        return new Active(current, null);
    }

    /**
     * Reads {@code nova.loadbalancing.markets} and each market's {@code active-hours}, {@code primary-region} and
     * optional {@code exchanges}; a bad value is a {@link ConfigException} naming its key.
     */
    public static MarketHours read(ConfigReader config) {
        List<Market> markets = new ArrayList<>();
        for (String name : config.list("nova.loadbalancing.markets")) {
            if (!Names.NAME.matcher(name).matches()) {
                throw new ConfigException("nova.loadbalancing.markets", "'" + name + "' is not a valid market name");
            }
            String prefix = "nova.loadbalancing.market." + name + ".";
            String hours = config.string(prefix + "active-hours");
            Matcher matcher = HOURS.matcher(hours.replace(" ", ""));
            if (!matcher.matches()) {
                throw new ConfigException(prefix + "active-hours", "'" + hours + "' is not a UTC hour range like 0-8");
            }
            int from = Integer.parseInt(matcher.group(1));
            int to = Integer.parseInt(matcher.group(2));
            if (from > 23 || to > 23) {
                throw new ConfigException(prefix + "active-hours", "'" + hours + "': hours run from 0 to 23");
            }
            String region = config.matching(prefix + "primary-region", Names.NAME, "a region name");
            Set<Platform> exchanges = EnumSet.noneOf(Platform.class);
            for (String exchange : config.list(prefix + "exchanges")) {
                Platform platform = Platform.fromId(exchange.toLowerCase(Locale.ROOT))
                        .orElseThrow(() -> new ConfigException(
                                prefix + "exchanges", "'" + exchange + "' is none of " + Platform.ids()));
                exchanges.add(platform);
            }
            if (markets.stream().anyMatch(m -> m.name().equals(name))) {
                throw new ConfigException("nova.loadbalancing.markets", "market '" + name + "' is named twice");
            }
            markets.add(new Market(name, from, to, region, Set.copyOf(exchanges)));
        }
        return new MarketHours(markets);
    }
}
