package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ClusterPorts;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.SseStream;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two Nova clusters bridged on loopback, as the seed's multi-cluster configuration: {@code us-finance} of two real
 * Liberty nodes and {@code eu-finance} of one, each bridged to the other with a shared bridge secret. Subscriptions
 * made or deleted in one appear or disappear in the other, under the other cluster's name; clients, ownership and
 * market data stay home. When every node of eu-finance stops, its bridge turns offline on both us-finance nodes and a
 * us-finance client adopts the channels of an eu-finance client: the simulator sees it subscribe them. Last, the
 * eu-finance node comes back with a wrong bridge secret and the bridge stays shut; with the right one it forms again
 * and us-finance's subscriptions are pushed to the restarted cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BridgeIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SUFFIX = Long.toString(System.nanoTime());
    private static final String US = "us-finance-" + SUFFIX;
    private static final String EU = "eu-finance-" + SUFFIX;
    private static final String BRIDGE_SECRET = "it-bridge-secret-" + UUID.randomUUID();

    private static ExchangeSimulator simulator;
    private static final List<LibertyNode> nodes = new ArrayList<>();
    private static LibertyNode us1;
    private static LibertyNode us2;
    private static LibertyNode eu1;

    @BeforeAll
    static void start() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults().messagesPerSecond(5));
        int us = ClusterPorts.allocate(2);
        int eu = ClusterPorts.allocate(1);
        int bridge = ClusterPorts.allocate(3);
        String bridgeHosts =
                "127.0.0.1[" + bridge + "],127.0.0.1[" + (bridge + 1) + "],127.0.0.1[" + (bridge + 2) + "]";
        String usHosts = "127.0.0.1[" + us + "],127.0.0.1[" + (us + 1) + "]";
        List<CompletableFuture<LibertyNode>> starting = new ArrayList<>();
        starting.add(start("us1", US, EU, us, usHosts, bridge, bridgeHosts, "us-east"));
        starting.add(start("us2", US, EU, us + 1, usHosts, bridge + 1, bridgeHosts, "us-east"));
        starting.add(start("eu1", EU, US, eu, "127.0.0.1[" + eu + "]", bridge + 2, bridgeHosts, "eu-west"));
        // awaitAll stops the nodes that did start when one fails; AfterAll stops these.
        nodes.addAll(LibertyNode.awaitAll(starting, WAIT));
        us1 = nodes.stream().filter(n -> n.name().equals("us1")).findFirst().orElseThrow();
        us2 = nodes.stream().filter(n -> n.name().equals("us2")).findFirst().orElseThrow();
        eu1 = nodes.stream().filter(n -> n.name().equals("eu1")).findFirst().orElseThrow();
        await().atMost(WAIT)
                .until(() -> members(us1).size() == 2 && members(us2).size() == 2);
        await().atMost(WAIT)
                .until(() -> bridgeStatus(us2, EU).equals("online")
                        && bridgeStatus(us1, EU).equals("online")
                        && bridgeStatus(eu1, US).equals("online"));
        create(us1, "us-deribit", "deribit", "trades.BTC-PERPETUAL.raw");
        create(us1, "us-binance", "binance", "ethusdt@trade");
        create(eu1, "eu-binance", "binance", "btcusdt@trade");
        await().atMost(WAIT)
                .until(() -> simulator.subscribers("btcusdt@trade") == 1
                        && simulator.subscribers("ethusdt@trade") == 1
                        && simulator.subscribers("trades.BTC-PERPETUAL.raw") == 1);
    }

    private static CompletableFuture<LibertyNode> start(
            String name,
            String cluster,
            String other,
            int port,
            String hosts,
            int bridgePort,
            String bridgeHosts,
            String region) {
        Map<String, String> env = new HashMap<>();
        env.put("NOVA_NODE_REGION", region);
        env.put("NOVA_CLUSTER_NAME", cluster);
        env.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(port));
        env.put("NOVA_CLUSTER_FD_PORT_OFFSET", Integer.toString(ClusterPorts.FD_OFFSET));
        env.put("NOVA_CLUSTER_INITIAL_HOSTS", hosts);
        env.put("NOVA_CLUSTER_BRIDGE_CLUSTERS", other);
        env.put("NOVA_CLUSTER_BRIDGE_BIND_PORT", Integer.toString(bridgePort));
        env.put("NOVA_CLUSTER_BRIDGE_INITIAL_HOSTS", bridgeHosts);
        env.put("NOVA_CLUSTER_BRIDGE_SECRET", BRIDGE_SECRET);
        return CompletableFuture.supplyAsync(() -> LibertyNode.start(name, env, LibertyNode.freePort()));
    }

    @AfterAll
    static void stop() {
        LibertyNode.closeAll(nodes);
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    @Order(1)
    void subscriptionsMadeAndDeletedInOneClusterAppearAndDisappearInTheOther() {
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(channels(eu1.http().get("/api/subscriptions?cluster=" + US)))
                        .contains("trades.BTC-PERPETUAL.raw", "ethusdt@trade"));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(channels(us2.http().get("/api/subscriptions?cluster=" + EU)))
                        .containsExactly("btcusdt@trade"));
        JsonNode theirs =
                us2.http().get("/api/subscriptions?cluster=" + EU).json().get(0);
        assertThat(theirs.path("cluster").asText()).isEqualTo(EU);
        assertThat(theirs.path("client").asText()).isEqualTo("eu-binance");
        assertThat(theirs.path("platform").asText()).isEqualTo("binance");
        assertThat(theirs.path("owner").isNull() || theirs.path("owner").isMissingNode())
                .isTrue();
        assertThat(us1.http()
                        .get("/api/subscriptions")
                        .json()
                        .get(0)
                        .path("cluster")
                        .asText())
                .isEqualTo(US);

        Http.Reply made = us1.http()
                .post("/api/clients/us-deribit/subscriptions", "{\"channels\":[\"ticker.ETH-PERPETUAL.100ms\"]}");
        assertThat(made.status()).isEqualTo(201);
        String id = made.json().path("subscriptions").get(0).path("id").asText();
        await().atMost(WAIT).untilAsserted(() -> assertThat(ids(eu1.http().get("/api/subscriptions?cluster=" + US)))
                .contains(id));
        assertThat(us1.http()
                        .delete("/api/clients/us-deribit/subscriptions/" + id)
                        .status())
                .isEqualTo(204);
        await().atMost(WAIT).untilAsserted(() -> assertThat(ids(eu1.http().get("/api/subscriptions?cluster=" + US)))
                .doesNotContain(id));

        for (LibertyNode node : List.of(us1, us2)) {
            JsonNode bridge = bridge(node, EU);
            assertThat(bridge.path("status").asText()).isEqualTo("online");
            assertThat(bridge.path("subscriptions").asInt()).isEqualTo(1);
            JsonNode health = node.http().get("/api/cluster/health").json();
            assertThat(health.path("bridgesOnline").asInt()).isEqualTo(1);
            assertThat(health.path("bridgesTotal").asInt()).isEqualTo(1);
        }
        assertThat(us2.http().get("/metrics?scope=application").text())
                .containsPattern("nova_cluster_bridges_online\\S* 1")
                .containsPattern("nova_cluster_bridge_online\\{cluster=\"" + EU + "\"\\S* 1");
        assertThat(bridge(eu1, US).path("subscriptions").asInt()).isEqualTo(2);
        assertThat(bridge(eu1, US).path("lastUpdateAt").asLong()).isPositive();
    }

    @Test
    @Order(2)
    void clientsOwnershipAndMarketDataStayInTheirCluster() throws Exception {
        assertThat(names(eu1.http().get("/api/clients"))).containsExactly("eu-binance");
        assertThat(names(us1.http().get("/api/clients"))).containsExactlyInAnyOrder("us-deribit", "us-binance");
        assertThat(eu1.http().get("/api/clients/us-deribit").status()).isEqualTo(404);
        assertThat(channels(eu1.http().get("/api/subscriptions"))).containsExactly("btcusdt@trade");
        assertThat(members(eu1)).containsExactly("eu1");
        assertThat(eu1.http().get("/api/cluster").json().path("nodes").size()).isEqualTo(1);
        // Each channel is subscribed once at the exchange: by its own cluster only.
        assertThat(simulator.subscribers("trades.BTC-PERPETUAL.raw")).isEqualTo(1);
        assertThat(simulator.subscribers("btcusdt@trade")).isEqualTo(1);
        assertThat(eu1.http().get("/api/subscriptions?cluster=asia-finance").status())
                .isEqualTo(404);
        // us-finance's market data reaches a consumer on its other node, and none on eu-finance's.
        String stream = "/api/stream?channel=trades.BTC-PERPETUAL.raw";
        try (SseStream home = new SseStream(us2.http().uri(stream));
                SseStream across = new SseStream(eu1.http().uri(stream))) {
            assertThat(home.status()).isEqualTo(200);
            assertThat(across.status()).isEqualTo(200);
            assertThat(home.drain(Duration.ofSeconds(3))).anyMatch(e -> e.name().equals("message"));
            assertThat(across.drain(Duration.ofMillis(500)))
                    .noneMatch(e -> e.name().equals("message"));
        }
    }

    @Test
    @Order(3)
    void aLostClusterTurnsOfflineAndItsSubscriptionsAreAdopted() throws Exception {
        String adopt = "{\"fromClient\":\"eu-binance\",\"toClient\":\"us-binance\"}";
        Http.Reply early = us1.http().post("/api/bridges/" + EU + "/adopt", adopt);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.isProblem()).isTrue();
        // An operator may insist: the channel is then subscribed in both clusters.
        Http.Reply forced = us1.http()
                .post(
                        "/api/bridges/" + EU + "/adopt",
                        "{\"fromClient\":\"eu-binance\",\"toClient\":\"us-binance\",\"force\":true}");
        assertThat(forced.status()).as(forced.text()).isEqualTo(200);
        String twice = forced.json().path("subscriptions").get(0).path("id").asText();
        await().atMost(WAIT).until(() -> simulator.subscribers("btcusdt@trade") == 2);
        assertThat(us1.http()
                        .delete("/api/clients/us-binance/subscriptions/" + twice)
                        .status())
                .isEqualTo(204);
        await().atMost(WAIT).until(() -> simulator.subscribers("btcusdt@trade") == 1);

        try (SseStream events = new SseStream(us2.http().uri("/api/events?type=nova.cluster.bridge.offline"))) {
            eu1.close();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> bridgeStatus(us1, EU).equals("offline")
                            && bridgeStatus(us2, EU).equals("offline"));
            SseStream.Event offline = events.next(Duration.ofSeconds(10));
            assertThat(offline).isNotNull();
            assertThat(offline.json().path("detail").asText()).contains(EU);
        }
        assertThat(us1.http()
                        .get("/api/cluster/health")
                        .json()
                        .path("bridgesOnline")
                        .asInt())
                .isZero();
        assertThat(us1.http().get("/metrics?scope=application").text())
                .containsPattern("nova_cluster_bridge_online\\{cluster=\"" + EU + "\"\\S* 0");
        // What eu-finance had is still known here, for adoption.
        assertThat(channels(us1.http().get("/api/subscriptions?cluster=" + EU))).containsExactly("btcusdt@trade");
        await().atMost(WAIT).until(() -> simulator.subscribers("btcusdt@trade") == 0);

        // Bad adoptions change nothing.
        assertThat(us1.http().post("/api/bridges/asia-finance/adopt", adopt).status())
                .isEqualTo(404);
        assertThat(us1.http()
                        .post(
                                "/api/bridges/" + EU + "/adopt",
                                "{\"fromClient\":\"nobody\",\"toClient\":\"us-binance\"}")
                        .status())
                .isEqualTo(404);
        assertThat(us1.http()
                        .post(
                                "/api/bridges/" + EU + "/adopt",
                                "{\"fromClient\":\"eu-binance\",\"toClient\":\"nobody\"}")
                        .status())
                .isEqualTo(404);
        Http.Reply mismatch = us1.http()
                .post("/api/bridges/" + EU + "/adopt", "{\"fromClient\":\"eu-binance\",\"toClient\":\"us-deribit\"}");
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.json().path("detail").asText()).contains("platform");
        assertThat(us1.http()
                        .post("/api/bridges/" + EU + "/adopt", "{\"toClient\":\"us-binance\"}")
                        .status())
                .isEqualTo(400);
        assertThat(channels(us1.http().get("/api/subscriptions?client=us-deribit")))
                .containsExactly("trades.BTC-PERPETUAL.raw");
        assertThat(channels(us1.http().get("/api/subscriptions?client=us-binance")))
                .containsExactly("ethusdt@trade");

        Http.Reply adopted = us2.http().post("/api/bridges/" + EU + "/adopt", adopt);
        assertThat(adopted.status()).isEqualTo(200);
        assertThat(channels(adopted.json().path("subscriptions"))).containsExactly("btcusdt@trade");
        assertThat(channels(us1.http().get("/api/subscriptions?client=us-binance")))
                .containsExactlyInAnyOrder("ethusdt@trade", "btcusdt@trade");
        await().atMost(WAIT).until(() -> simulator.subscribers("btcusdt@trade") == 1);

        // Once more: nothing left to take.
        Http.Reply again = us1.http().post("/api/bridges/" + EU + "/adopt", adopt);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("subscriptions").size()).isZero();
        assertThat(again.json().path("skipped").get(0).asText()).isEqualTo("btcusdt@trade");
    }

    @Test
    @Order(4)
    void aClusterWithAnotherBridgeSecretIsNeverBridgedAndWithTheSameOneGetsEverythingBack() {
        String wrong = "a wrong bridge secret " + UUID.randomUUID();
        eu1.restart(Map.of("NOVA_CLUSTER_BRIDGE_SECRET", wrong));
        await().atMost(WAIT).until(() -> eu1.http().isUp() && members(eu1).size() == 1);
        // The bridge transports meet, drop every message of the other secret, and say which setting differs.
        await().atMost(WAIT).until(() -> Stream.of(eu1, us1, us2)
                .flatMap(n -> n.log().lines())
                .anyMatch(l -> l.contains("NOVA-1030") && l.contains("(nova.cluster.bridge.secret differs")));
        assertThat(eu1.log()).doesNotContain(wrong).doesNotContain(BRIDGE_SECRET);
        // eu1's site master records us-finance once it has missed it for 10 s (a bridge that works connects in a few
        // seconds): offline, since the bridge never formed.
        await().atMost(WAIT).until(() -> !bridge(eu1, US).path("since").isNull());
        assertThat(bridgeStatus(eu1, US)).isEqualTo("offline");
        assertThat(bridgeStatus(us1, EU)).isEqualTo("offline");
        assertThat(eu1.http().get("/api/subscriptions?cluster=" + US).json().size())
                .isZero();

        // With the bridge secret back, the bridge forms and us-finance pushes all it has to the restarted cluster,
        // the channel adopted meanwhile included.
        eu1.close();
        eu1.restart(Map.of("NOVA_CLUSTER_BRIDGE_SECRET", BRIDGE_SECRET));
        await().atMost(WAIT)
                .until(() -> bridgeStatus(eu1, US).equals("online")
                        && bridgeStatus(us1, EU).equals("online")
                        && bridgeStatus(us2, EU).equals("online"));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(channels(eu1.http().get("/api/subscriptions?cluster=" + US)))
                        .containsExactlyInAnyOrder("trades.BTC-PERPETUAL.raw", "ethusdt@trade", "btcusdt@trade"));
    }

    private static void create(LibertyNode node, String name, String platform, String channel) {
        String url = platform.equals("deribit") ? simulator.deribitUrl() : simulator.binanceUrl();
        Http.Reply reply = node.http()
                .post(
                        "/api/clients",
                        "{\"name\":\"" + name + "\",\"platform\":\"" + platform + "\",\"url\":\"" + url
                                + "\",\"channels\":[\"" + channel + "\"]}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    }

    private static List<String> members(LibertyNode node) {
        try {
            return names(node.http().get("/api/cluster").json().path("nodes"));
        } catch (RuntimeException notAnswering) {
            return List.of();
        }
    }

    private static JsonNode bridge(LibertyNode node, String cluster) {
        for (JsonNode bridge : node.http().get("/api/cluster").json().path("bridges")) {
            if (bridge.path("cluster").asText().equals(cluster)) {
                return bridge;
            }
        }
        throw new AssertionError(node.name() + " lists no bridge to " + cluster);
    }

    private static String bridgeStatus(LibertyNode node, String cluster) {
        try {
            return bridge(node, cluster).path("status").asText();
        } catch (RuntimeException | AssertionError notYet) {
            return "";
        }
    }

    private static List<String> channels(Http.Reply reply) {
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        return channels(reply.json());
    }

    private static List<String> channels(JsonNode list) {
        return StreamSupport.stream(list.spliterator(), false)
                .map(s -> s.path("channel").asText())
                .toList();
    }

    private static List<String> ids(Http.Reply reply) {
        return StreamSupport.stream(reply.json().spliterator(), false)
                .map(s -> s.path("id").asText())
                .toList();
    }

    private static List<String> names(Http.Reply reply) {
        return names(reply.json());
    }

    private static List<String> names(JsonNode list) {
        return StreamSupport.stream(list.spliterator(), false)
                .map(n -> n.path("name").asText())
                .toList();
    }
}
