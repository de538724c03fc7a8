package dev.nova.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.platform.Platform;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MarketHoursTest {

    private static ConfigReader config(Map<String, String> values) {
        return new ConfigReader(key -> Optional.ofNullable(values.get(key)));
    }

    private static Map<String, String> seed() {
        Map<String, String> values = new HashMap<>();
        values.put("nova.loadbalancing.strategy", "market_hours");
        values.put("nova.loadbalancing.markets", "asian,european,american");
        values.put("nova.loadbalancing.market.asian.active-hours", "22-7");
        values.put("nova.loadbalancing.market.asian.primary-region", "ap-east");
        values.put("nova.loadbalancing.market.european.active-hours", "7-15");
        values.put("nova.loadbalancing.market.european.primary-region", "eu-west");
        values.put("nova.loadbalancing.market.american.active-hours", "13-21");
        values.put("nova.loadbalancing.market.american.primary-region", "us-east");
        values.put("nova.loadbalancing.market.american.exchanges", "binance");
        return values;
    }

    private static String active(MarketHours hours, Platform platform, String at) {
        return hours.active(platform, Instant.parse(at))
                .map(MarketHours.Market::name)
                .orElse("-");
    }

    @Test
    void windowsWrapMidnightAndTheLatestOpenedWins() {
        MarketHours hours = LoadBalancing.read(config(seed())).markets();

        assertThat(active(hours, Platform.DERIBIT, "2026-12-06T23:30:00Z")).isEqualTo("asian");
        assertThat(active(hours, Platform.DERIBIT, "2026-12-06T03:00:00Z")).isEqualTo("asian");
        assertThat(active(hours, Platform.DERIBIT, "2026-12-06T07:00:00Z")).isEqualTo("european");
        assertThat(active(hours, Platform.BINANCE, "2026-12-06T14:59:00Z")).isEqualTo("american");
        assertThat(active(hours, Platform.DERIBIT, "2026-12-06T14:59:00Z"))
                .as("american is for binance only")
                .isEqualTo("european");
        assertThat(active(hours, Platform.DERIBIT, "2026-12-06T17:00:00Z")).isEqualTo("-");
    }

    @Test
    void theNextChangeIsTheNextHourAnotherMarketTakesOver() {
        MarketHours hours = LoadBalancing.read(config(seed())).markets();

        MarketHours.Active now = hours.schedule(Platform.DERIBIT, Instant.parse("2026-12-06T03:10:00Z"));

        assertThat(now.market()).map(MarketHours.Market::name).contains("asian");
        assertThat(now.nextChange()).isEqualTo(Instant.parse("2026-12-06T07:00:00Z"));
        assertThat(hours.schedule(Platform.DERIBIT, Instant.parse("2026-12-06T15:10:00Z"))
                        .nextChange())
                .as("european ends after 15:59; nothing is active from 16:00")
                .isEqualTo(Instant.parse("2026-12-06T16:00:00Z"));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        Map<String, String> values = seed();
        values.put("nova.loadbalancing.market.asian.active-hours", "22-25");
        assertThatThrownBy(() -> LoadBalancing.read(config(values)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.loadbalancing.market.asian.active-hours");

        Map<String, String> noRegion = seed();
        noRegion.remove("nova.loadbalancing.market.european.primary-region");
        assertThatThrownBy(() -> LoadBalancing.read(config(noRegion)))
                .hasMessageContaining("nova.loadbalancing.market.european.primary-region");

        Map<String, String> exchange = seed();
        exchange.put("nova.loadbalancing.market.american.exchanges", "kraken");
        assertThatThrownBy(() -> LoadBalancing.read(config(exchange)))
                .hasMessageContaining("nova.loadbalancing.market.american.exchanges");

        Map<String, String> none = new HashMap<>(Map.of("nova.loadbalancing.strategy", "market_hours"));
        assertThatThrownBy(() -> LoadBalancing.read(config(none))).hasMessageContaining("nova.loadbalancing.markets");
    }

    @Test
    void theStrategyAndItsNumbersAreCheckedToo() {
        assertThat(LoadBalancing.read(config(Map.of()))).isEqualTo(LoadBalancing.NONE);
        assertThatThrownBy(() -> LoadBalancing.read(config(Map.of("nova.loadbalancing.strategy", "round_robin"))))
                .hasMessageContaining("nova.loadbalancing.strategy");
        assertThatThrownBy(() -> LoadBalancing.read(config(Map.of("nova.loadbalancing.max-imbalance", "-0.1"))))
                .hasMessageContaining("nova.loadbalancing.max-imbalance");
        assertThatThrownBy(() -> LoadBalancing.read(config(Map.of("nova.loadbalancing.rebalance-interval", "5"))))
                .hasMessageContaining("nova.loadbalancing.rebalance-interval");
        assertThatThrownBy(() -> LoadBalancing.read(config(Map.of("nova.loadbalancing.max-moves", "0"))))
                .hasMessageContaining("nova.loadbalancing.max-moves");
        LoadBalancing least = LoadBalancing.read(config(Map.of(
                "nova.loadbalancing.strategy", "least_connections",
                "nova.loadbalancing.rebalance-interval", "5000",
                "nova.loadbalancing.max-imbalance", "0.25")));
        assertThat(least.strategy()).isEqualTo(LoadBalancing.Strategy.LEAST_CONNECTIONS);
        assertThat(least.interval().toMillis()).isEqualTo(5000);
        assertThat(least.maxImbalance()).isEqualTo(0.25);
        assertThat(least.markets().isEmpty()).isTrue();
    }
}
