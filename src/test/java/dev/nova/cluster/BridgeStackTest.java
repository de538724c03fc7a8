package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.config.SecretSetting;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.jgroups.JChannel;
import org.jgroups.protocols.relay.RELAY2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge between two clusters, as real JGroups channels on loopback (one member per cluster, each its site's
 * master): with the same bridge secret the two site masters form the bridge and see each other's site; with another
 * secret they never do, and say why (NOVA-1030). Also the bridge keys as the configuration reads them.
 */
class BridgeStackTest {

    private static final String SECRET = "the bridge secret " + UUID.randomUUID();
    private static final int US_PORT = 27_961;
    private static final int EU_PORT = 27_962;
    private static final int US_BRIDGE = 27_963;
    private static final int EU_BRIDGE = 27_964;

    private JChannel us;
    private JChannel eu;

    @AfterEach
    void close() {
        for (JChannel channel : new JChannel[] {us, eu}) {
            if (channel != null) {
                channel.close();
            }
        }
    }

    @Test
    void theSiteMastersOfTwoClustersWithTheSameSecretFormTheBridge() throws Exception {
        String suffix = UUID.randomUUID().toString();
        us = member("us-" + suffix, "eu-" + suffix, US_PORT, US_BRIDGE, SECRET);
        eu = member("eu-" + suffix, "us-" + suffix, EU_PORT, EU_BRIDGE, SECRET);
        await().atMost(Duration.ofSeconds(20)).until(() -> sites(us).contains("eu-" + suffix));
        await().atMost(Duration.ofSeconds(20)).until(() -> sites(eu).contains("us-" + suffix));
        assertThat(relay(us).getBridgeView(BridgeSettings.BRIDGE_CLUSTER).size())
                .isEqualTo(2);
        // The bridge is the member stack on the bridge's port, without FD_SOCK2 and FORK.
        JChannel bridge = relay(us).getBridge("eu-" + suffix);
        assertThat(bridge.getProtocolStack().getTransport().getBindPort()).isEqualTo(US_BRIDGE);
        assertThat((Object) bridge.getProtocolStack().findProtocol("FD_SOCK2")).isNull();
        assertThat((Object) bridge.getProtocolStack().findProtocol("FORK")).isNull();
        assertThat((Object) bridge.getProtocolStack().findProtocol(ClusterCipher.class))
                .isNotNull();
    }

    @Test
    void aClusterWithAnotherBridgeSecretIsNeverBridged() throws Exception {
        String suffix = UUID.randomUUID().toString();
        try (OperatorLog log = new OperatorLog()) {
            us = member("us-" + suffix, "eu-" + suffix, US_PORT, US_BRIDGE, SECRET);
            eu = member("eu-" + suffix, "us-" + suffix, EU_PORT, EU_BRIDGE, "another bridge secret " + suffix);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> log.messages().stream().anyMatch(m -> m.startsWith("NOVA-1030")));
            // Both bridges are up, each a view of its own, and stay apart while they keep dropping each other's
            // discovery.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> relay(us).getBridgeView(BridgeSettings.BRIDGE_CLUSTER) != null
                            && relay(eu).getBridgeView(BridgeSettings.BRIDGE_CLUSTER) != null);
            await().during(Duration.ofSeconds(5))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> relay(us)
                                            .getBridgeView(BridgeSettings.BRIDGE_CLUSTER)
                                            .size()
                                    == 1
                            && relay(eu)
                                            .getBridgeView(BridgeSettings.BRIDGE_CLUSTER)
                                            .size()
                                    == 1
                            && sites(us).equals(List.of("us-" + suffix))
                            && sites(eu).equals(List.of("eu-" + suffix)));
        }
    }

    @Test
    void bridgeKeysAreCheckedAtStartNamingTheKey() {
        Map<String, String> bridged = new HashMap<>(Map.of(
                "nova.cluster.name", "us-finance",
                "nova.cluster.bridge-clusters", "eu-finance, asia-finance",
                "nova.cluster.bridge.bind-port", "7850",
                "nova.cluster.bridge.initial-hosts", "127.0.0.1[7850],127.0.0.1[7851]",
                "nova.cluster.bridge.secret", SECRET));
        BridgeSettings bridge = read(bridged).bridge();
        assertThat(bridge.clusters()).containsExactly("eu-finance", "asia-finance");
        assertThat(bridge.mode()).isEqualTo(BridgeSettings.Mode.SUBSCRIPTIONS_ONLY);
        assertThat(bridge.bindPort()).isEqualTo(7850);
        assertThat(bridge.toString()).doesNotContain(SECRET);
        assertThat(read(Map.of()).bridge()).isNull();
        assertThat(read(Map.of()).bridged()).isFalse();

        refused(with(bridged, "nova.cluster.bridge-clusters", "eu-finance,us-finance"), "nova.cluster.bridge-clusters");
        refused(with(bridged, "nova.cluster.bridge-clusters", "eu-finance,eu-finance"), "nova.cluster.bridge-clusters");
        refused(with(bridged, "nova.cluster.bridge-clusters", "eu finance"), "nova.cluster.bridge-clusters");
        refused(with(bridged, "nova.cluster.bridge-mode", "everything"), "nova.cluster.bridge-mode");
        refused(with(bridged, "nova.cluster.bridge.bind-port", "7800"), "nova.cluster.bridge.bind-port");
        refused(with(bridged, "nova.cluster.bridge.bind-port", "7900"), "nova.cluster.bridge.bind-port");
        refused(with(bridged, "nova.cluster.bridge.bind-port", "7900x"), "nova.cluster.bridge.bind-port");
        refused(with(bridged, "nova.cluster.bridge.bind-port", ""), "nova.cluster.bridge.bind-port");
        refused(with(bridged, "nova.cluster.bridge.initial-hosts", ""), "nova.cluster.bridge.initial-hosts");
        refused(with(bridged, "nova.cluster.bridge.initial-hosts", "host:7850"), "nova.cluster.bridge.initial-hosts");
        refused(with(bridged, "nova.cluster.bridge.secret", "short"), "nova.cluster.bridge.secret");
        refused(with(bridged, "nova.cluster.enabled", "false"), "nova.cluster.bridge-clusters");
        refused(with(bridged, "nova.cluster.components.subscriptions", "false"), "nova.cluster.bridge-clusters");
        Map<String, String> reachable = with(bridged, "nova.cluster.bind-address", "10.1.2.3");
        reachable.put("nova.cluster.secret", SECRET);
        reachable.put("nova.cluster.bridge.secret", "");
        refused(reachable, "nova.cluster.bridge.secret");
        refused(Map.of("nova.cluster.bridge.bind-port", "7850"), "nova.cluster.bridge.bind-port");
        refused(Map.of("nova.cluster.bridge-mode", "subscriptions_only"), "nova.cluster.bridge-mode");
        refused(Map.of("nova.cluster.bridge.secret", SECRET), "nova.cluster.bridge.secret");
        refused(Map.of("nova.cluster.bridge.initial-hosts", "127.0.0.1[7850]"), "nova.cluster.bridge.initial-hosts");
    }

    private static Map<String, String> with(Map<String, String> values, String key, String value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(key, value);
        return copy;
    }

    private static void refused(Map<String, String> values, String key) {
        assertThatThrownBy(() -> read(values))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .hasMessageNotContaining(SECRET);
    }

    private static ClusterSettings read(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        Properties shipped = new Properties();
        try (InputStream in = BridgeStackTest.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            shipped.load(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        shipped.stringPropertyNames().forEach(k -> values.put(k, shipped.getProperty(k)));
        values.putAll(overrides);
        return ClusterSettings.read(new ConfigReader(key -> Optional.ofNullable(values.get(key))));
    }

    /** One member of {@code cluster}, alone, bridged to {@code other}; members talk in clear on loopback. */
    private static JChannel member(String cluster, String other, int port, int bridgePort, String secret)
            throws Exception {
        ClusterSettings plain = JGroupsStackTest.settings(
                cluster,
                "127.0.0.1",
                port,
                ClusterSettings.Discovery.STATIC,
                List.of(new ClusterSettings.HostPort("127.0.0.1", port)),
                Duration.ofMillis(300));
        ClusterSettings settings = JGroupsStackTest.withBridge(
                plain,
                new BridgeSettings(
                        List.of(other),
                        BridgeSettings.Mode.SUBSCRIPTIONS_ONLY,
                        bridgePort,
                        List.of(
                                new ClusterSettings.HostPort("127.0.0.1", US_BRIDGE),
                                new ClusterSettings.HostPort("127.0.0.1", EU_BRIDGE)),
                        new SecretSetting(secret)));
        JChannel channel = BridgeStack.channel(settings, JGroupsStack.xml(settings), cluster + "-1");
        channel.connect(cluster);
        return channel;
    }

    private static RELAY2 relay(JChannel channel) {
        return channel.getProtocolStack().findProtocol(RELAY2.class);
    }

    private static List<String> sites(JChannel channel) {
        List<String> sites = relay(channel).getCurrentSites();
        return sites == null ? List.of() : sites;
    }
}
