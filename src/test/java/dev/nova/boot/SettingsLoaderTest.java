package dev.nova.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nova.client.DeclaredClient;
import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.platform.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Settings are read over the shipped defaults, as MicroProfile Config does in the server. */
class SettingsLoaderTest {

    private static NovaSettings load(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(defaults());
        values.putAll(overrides);
        return SettingsLoader.load(new ConfigReader(key -> Optional.ofNullable(values.get(key))));
    }

    static Map<String, String> defaults() {
        Properties properties = new Properties();
        try (InputStream in =
                SettingsLoaderTest.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> map = new HashMap<>();
        properties.forEach((k, v) -> map.put((String) k, (String) v));
        return map;
    }

    @Test
    void shippedDefaultsLoad() {
        NovaSettings settings = load(Map.of("nova.node.name", "n1"));

        assertThat(settings.node().name()).isEqualTo("n1");
        assertThat(settings.node().region()).isEqualTo("default");
        assertThat(settings.connection().backoff().initial()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.connection().backoff().maxAttempts()).isZero();
        assertThat(settings.platforms().defaultUrl(Platform.DERIBIT).toString())
                .isEqualTo("wss://www.deribit.com/ws/api/v2");
        assertThat(settings.clients()).isEmpty();
    }

    @Test
    void declaredClientsAreReadWithTheirChannelsAndCredentials() {
        NovaSettings settings = load(Map.of(
                "nova.cluster.secret", "a secret of sixteen or more",
                "nova.clients", "deribit-main, binance-1",
                "nova.client.deribit-main.platform", "deribit",
                "nova.client.deribit-main.channels", "book.BTC-PERPETUAL.100ms,trades.BTC-PERPETUAL.raw",
                "nova.client.deribit-main.client-id", "abc",
                "nova.client.deribit-main.client-secret", "s3cret",
                "nova.client.deribit-main.preferred-region", "eu-west",
                "nova.client.binance-1.platform", "binance",
                "nova.client.binance-1.cluster-enabled", "false"));

        DeclaredClient deribit = settings.clients().get(0);
        assertThat(deribit.spec().name()).isEqualTo("deribit-main");
        assertThat(deribit.spec().url()).isEqualTo("wss://www.deribit.com/ws/api/v2");
        assertThat(deribit.spec().credentials().clientId()).isEqualTo("abc");
        assertThat(settings.secrets().open(deribit.spec().credentials())).contains("s3cret");
        assertThat(deribit.spec().credentials().clientSecret().value())
                .startsWith("nova-sealed:v1:")
                .doesNotContain("s3cret");
        assertThat(deribit.spec().toString()).doesNotContain("s3cret");
        assertThat(deribit.spec().preferredRegion()).isEqualTo("eu-west");
        assertThat(deribit.channels()).containsExactly("book.BTC-PERPETUAL.100ms", "trades.BTC-PERPETUAL.raw");
        assertThat(settings.clients().get(1).spec().clusterEnabled()).isFalse();
    }

    @Test
    void aBadValueFailsWithTheKeyNamed() {
        assertThatThrownBy(() -> load(Map.of("nova.connection.backoff.initial", "soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.connection.backoff.initial")
                .hasMessageContaining("'soon' is not a whole number");
        assertThatThrownBy(() -> load(Map.of("nova.connection.backoff.jitter", "2")))
                .hasMessageContaining("nova.connection.backoff.jitter");
        assertThatThrownBy(() -> load(Map.of("nova.connection.backoff.max", "100")))
                .hasMessageContaining("nova.connection.backoff.max");
        assertThatThrownBy(() -> load(Map.of("nova.platform.deribit.url", "http://x")))
                .hasMessageContaining("nova.platform.deribit.url");
        assertThatThrownBy(() -> load(Map.of("nova.node.region", "eu west"))).hasMessageContaining("nova.node.region");
    }

    @Test
    void clusterKeysAreReadAndChecked() {
        NovaSettings settings = load(Map.of(
                "nova.node.name", "n1",
                "nova.cluster.bind-port", "27801",
                "nova.cluster.initial-hosts", "127.0.0.1[27801], 127.0.0.1[27802]"));

        assertThat(settings.cluster().enabled()).isTrue();
        assertThat(settings.cluster().initialHosts()).hasSize(2);
        assertThat(settings.cluster().initialHosts().get(1).port()).isEqualTo(27802);
        assertThat(load(Map.of("nova.cluster.bind-port", "27801")).cluster().initialHosts())
                .containsExactly(new dev.nova.cluster.ClusterSettings.HostPort("127.0.0.1", 27801));
        assertThatThrownBy(() -> load(Map.of("nova.cluster.initial-hosts", "host:7800")))
                .hasMessageContaining("nova.cluster.initial-hosts")
                .hasMessageContaining("host[port]");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.discovery", "dns")))
                .hasMessageContaining("nova.cluster.dns-query");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.discovery", "multicast")))
                .hasMessageContaining("nova.cluster.discovery");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.bind-address", "0.0.0.0")))
                .hasMessageContaining("nova.cluster.bind-address");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.bind-port", "65500")))
                .hasMessageContaining("nova.cluster.fd-port-offset");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.fd-interval", "5000")))
                .hasMessageContaining("nova.cluster.fd-interval");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.fd-timeout", "1000", "nova.cluster.fd-interval", "900")))
                .hasMessageContaining("nova.cluster.fd-timeout")
                .hasMessageContaining("lease");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.verify-suspect-timeout", "10")))
                .hasMessageContaining("nova.cluster.verify-suspect-timeout");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.verify-suspect-timeout", "120000")))
                .hasMessageContaining("nova.cluster.verify-suspect-timeout");
    }

    @Test
    void aSuspectedMemberHasThreeHundredMillisecondsToAnswerByDefault() {
        assertThat(load(Map.of()).cluster().verifySuspectTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(load(Map.of("nova.cluster.verify-suspect-timeout", "800"))
                        .cluster()
                        .verifySuspectTimeout())
                .isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void aBadClientDeclarationNamesItsKey() {
        assertThatThrownBy(() -> load(Map.of("nova.clients", "c1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.client.c1.platform");
        assertThatThrownBy(() -> load(Map.of("nova.clients", "c1", "nova.client.c1.platform", "kraken")))
                .hasMessageContaining("nova.client.c1.platform")
                .hasMessageContaining("kraken");
        assertThatThrownBy(() -> load(Map.of(
                        "nova.clients", "c1",
                        "nova.client.c1.platform", "deribit",
                        "nova.client.c1.channels", "book.btc.100ms")))
                .hasMessageContaining("nova.client.c1.channels");
        assertThatThrownBy(() -> load(Map.of(
                        "nova.clients", "c1",
                        "nova.client.c1.platform", "deribit",
                        "nova.client.c1.client-id", "only-id")))
                .hasMessageContaining("nova.client.c1.client-id");
        assertThatThrownBy(() -> load(Map.of("nova.clients", "c1,c1", "nova.client.c1.platform", "deribit")))
                .hasMessageContaining("nova.clients")
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> load(Map.of(
                        "nova.clients",
                        "c1",
                        "nova.client.c1.platform",
                        "deribit",
                        "nova.client.c1.region-aware",
                        "maybe")))
                .hasMessageContaining("nova.client.c1.region-aware");
    }

    @Test
    void rateLimitDefaultsAreTheExchangesPublishedLimits() {
        NovaSettings settings = load(Map.of(
                "nova.node.name",
                "n1",
                "nova.cluster.bind-address",
                "10.0.0.5",
                "nova.cluster.secret",
                "a secret of sixteen or more"));

        var limits = settings.rateLimits();
        assertThat(limits.distributed()).isTrue();
        assertThat(limits.egressAddress()).isEqualTo("10.0.0.5");
        assertThat(limits.deribit().maxCredits()).isEqualTo(50_000);
        assertThat(limits.deribit().refillPerSecond()).isEqualTo(10_000);
        assertThat(limits.deribit().cost()).isEqualTo(500);
        assertThat(limits.deribit().matchingEngineMethods()).contains("private/buy", "private/sell");
        assertThat(limits.binance().messagesPerSecond()).isEqualTo(5);
        assertThat(limits.binance().connectionsPerWindow()).isEqualTo(300);
        assertThat(limits.binance().connectionWindow()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void rateLimitsAreLocalWithoutTheClusterOrWhenSoConfigured() {
        assertThat(load(Map.of("nova.node.name", "n1", "nova.cluster.enabled", "false"))
                        .rateLimits()
                        .distributed())
                .isFalse();
        assertThat(load(Map.of("nova.node.name", "n1", "nova.cluster.distributed-rate-limits", "false"))
                        .rateLimits()
                        .distributed())
                .isFalse();
    }

    @Test
    void theComponentTogglesTakeTheirOlderNamesAsAliasesAndRefuseAContradiction() {
        NovaSettings defaults = load(Map.of("nova.node.name", "n1"));
        assertThat(defaults.cluster().distributedSubscriptions()).isTrue();
        assertThat(defaults.rateLimits().distributed()).isTrue();
        assertThat(defaults.rateLimits().sharedConnections()).isTrue();
        assertThat(defaults.stream().distributeEvents()).isTrue();

        NovaSettings off = load(Map.of(
                "nova.node.name", "n1",
                "nova.cluster.components.subscriptions", "false",
                "nova.cluster.distributed-rate-limits", "false",
                "nova.cluster.components.telemetry", "false",
                "nova.cluster.components.reconnection", "false"));
        assertThat(off.cluster().distributedSubscriptions()).isFalse();
        assertThat(off.rateLimits().distributed()).isFalse();
        assertThat(off.rateLimits().sharedConnections()).isFalse();
        assertThat(off.stream().distributeEvents()).isFalse();

        assertThatThrownBy(() -> load(Map.of(
                        "nova.node.name", "n1",
                        "nova.cluster.components.rate-limits", "true",
                        "nova.cluster.distributed-rate-limits", "false")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.cluster.components.rate-limits")
                .hasMessageContaining("nova.cluster.distributed-rate-limits");
    }

    @Test
    void methodCostsAreParsedAndBadOnesNamed() {
        NovaSettings settings = load(Map.of(
                "nova.node.name", "n1",
                "nova.ratelimit.deribit.method-costs", "public/get_instruments:1000, public/test:200"));
        assertThat(settings.rateLimits().deribit().methodCosts())
                .containsEntry("public/get_instruments", 1000L)
                .containsEntry("public/test", 200L);

        assertThatThrownBy(() ->
                        load(Map.of("nova.node.name", "n1", "nova.ratelimit.deribit.method-costs", "public/test=200")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.ratelimit.deribit.method-costs")
                .hasMessageContaining("method:credits");
    }

    @Test
    void aReserveThatLeavesNoRoomForRequestsIsRefused() {
        assertThatThrownBy(() -> load(Map.of(
                        "nova.node.name", "n1",
                        "nova.ratelimit.deribit.max-credits", "1000",
                        "nova.ratelimit.deribit.heartbeat-reserve", "1000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.ratelimit.deribit.heartbeat-reserve");
        assertThatThrownBy(() -> load(Map.of("nova.node.name", "n1", "nova.ratelimit.safety-margin", "1.5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.ratelimit.safety-margin");
        assertThatThrownBy(() -> load(Map.of("nova.node.name", "n1", "nova.node.egress-address", "0.0.0.0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nova.node.egress-address");
    }

    @Test
    void clusteringOnAnAddressOtherHostsReachNeedsASecretAndTheErrorNamesTheKey() {
        assertThatThrownBy(() -> load(Map.of("nova.cluster.bind-address", "10.0.0.5")))
                .hasMessageContaining("nova.cluster.secret")
                .hasMessageContaining("NOVA_CLUSTER_SECRET");
        assertThat(load(Map.of("nova.cluster.bind-address", "10.0.0.5", "nova.cluster.enabled", "false"))
                        .cluster()
                        .encrypted())
                .as("a node that does not cluster needs none")
                .isFalse();
        assertThat(load(Map.of("nova.cluster.bind-address", "127.0.0.2"))
                        .cluster()
                        .encrypted())
                .as("loopback may cluster in clear")
                .isFalse();
    }

    @Test
    void aSecretIsMaskedAndShortOrLoneSecretsAreRefusedWithoutShowingThem() {
        NovaSettings settings = load(Map.of(
                "nova.cluster.secret",
                "a secret of sixteen or more",
                "nova.cluster.previous-secret",
                "the older one, also long"));

        assertThat(settings.cluster().encrypted()).isTrue();
        assertThat(settings.cluster().secret().reveal()).isEqualTo("a secret of sixteen or more");
        assertThat(settings.toString()).doesNotContain("sixteen").doesNotContain("older");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.secret", "too-short-1234")))
                .hasMessageContaining("nova.cluster.secret")
                .hasMessageContaining("at least 16")
                .hasMessageNotContaining("too-short");
        assertThatThrownBy(() -> load(Map.of("nova.cluster.previous-secret", "the older one, also long")))
                .hasMessageContaining("nova.cluster.previous-secret");
        assertThatThrownBy(() -> load(Map.of(
                        "nova.cluster.secret", "a secret of sixteen or more",
                        "nova.cluster.previous-secret", "a secret of sixteen or more")))
                .hasMessageContaining("nova.cluster.previous-secret")
                .hasMessageNotContaining("sixteen");
    }
}
