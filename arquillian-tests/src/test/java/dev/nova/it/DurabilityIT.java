package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.ThreeNodes;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A full-cluster restart on three real servers (issue 23, item 1): the clients made through the API, their encrypted
 * credentials and persistent subscriptions, and their deletes, are kept by Infinispan's soft-index file stores under
 * each node's data directory. Every node stopped (SIGTERM, then separately kill -9) and started again: everything
 * comes back, connected once quorum forms, one exchange session per client; a node that starts alone with its records
 * runs nothing until a quorum of its former members is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DurabilityIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String ACCOUNT = "durable-account";
    private static final String SECRET = "durable-secret";

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;
    /** The channels of every client that must come back, by client. */
    private static final Map<String, Set<String>> expected = new TreeMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(5)
                .deribitMinHeartbeatSeconds(1)
                .credentials(ACCOUNT, SECRET));
        cluster = ThreeNodes.start(Fixtures.fastSessions(), WAIT);
        Http api = node(1);
        for (int i = 1; i <= 3; i++) {
            create(
                    api,
                    "kept-deribit-" + i,
                    "deribit",
                    simulator.deribitUrl(),
                    true,
                    "trades.D" + i + "-PERPETUAL.raw");
        }
        create(api, "kept-binance", "binance", simulator.binanceUrl(), false, "b1usdt@trade", "b2usdt@trade");
        Http.Reply more = node(2).post(
                        "/api/clients/kept-deribit-1/subscriptions", "{\"channels\":[\"ticker.D1-PERPETUAL.100ms\"]}");
        assertThat(more.status()).as(more.text()).isEqualTo(201);
        expected.get("kept-deribit-1").add("ticker.D1-PERPETUAL.100ms");
        create(api, "deleted-before-the-stop", "deribit", simulator.deribitUrl(), false, "trades.GONE-PERPETUAL.raw");
        expected.remove("deleted-before-the-stop");
        assertThat(node(3).delete("/api/clients/deleted-before-the-stop").status())
                .isEqualTo(204);
        awaitEverythingLive();
    }

    @AfterAll
    static void stopCluster() {
        Fixtures.close(simulator, cluster);
    }

    private static Http node(int number) {
        return cluster.node(number).http();
    }

    private static void create(
            Http on, String name, String platform, String url, boolean credentials, String... channels) {
        Http.Reply reply = on.post(
                "/api/clients",
                "{\"name\":\"" + name + "\",\"platform\":\"" + platform + "\",\"url\":\"" + url + "\""
                        + (credentials
                                ? ",\"credentials\":{\"clientId\":\"" + ACCOUNT + "\",\"clientSecret\":\"" + SECRET
                                        + "\"}"
                                : "")
                        + ",\"channels\":" + Http.JSON.valueToTree(List.of(channels)) + "}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        expected.put(name, new TreeSet<>(List.of(channels)));
    }

    /** Every client of {@link #expected} connected, seen alike by every node, with one exchange session per channel. */
    private static void awaitEverythingLive() {
        await().atMost(WAIT).untilAsserted(() -> {
            for (LibertyNode node : cluster.all()) {
                assertThat(clients(node.http()))
                        .as("clients on %s", node.name())
                        .isEqualTo(expected.keySet());
                assertThat(subscriptions(node.http()))
                        .as("subscriptions on %s", node.name())
                        .isEqualTo(expected);
            }
            for (String client : expected.keySet()) {
                assertThat(node(1).get("/api/clients/" + client)
                                .json()
                                .path("state")
                                .asText())
                        .as(client)
                        .isEqualTo("CONNECTED");
            }
            for (Set<String> channels : expected.values()) {
                for (String channel : channels) {
                    assertThat(simulator.subscribers(channel)).as(channel).isEqualTo(1);
                }
            }
        });
        assertThat(simulator.subscribers("trades.GONE-PERPETUAL.raw")).isZero();
        assertThat(simulator.sessions().stream()
                        .filter(s -> s.channels().contains("trades.D1-PERPETUAL.raw"))
                        .map(ExchangeSimulator.SessionInfo::account)
                        .toList())
                .as("the exchange credentials came back with the client (sealed on disk)")
                .containsExactly(ACCOUNT);
    }

    private static Set<String> clients(Http on) {
        Set<String> names = new TreeSet<>();
        on.get("/api/clients").json().forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    /** Persistent subscriptions by client, as a node lists them. */
    private static Map<String, Set<String>> subscriptions(Http on) {
        Map<String, Set<String>> byClient = new TreeMap<>();
        on.get("/api/subscriptions").json().forEach(s -> {
            if (s.path("persistent").asBoolean(true)) {
                byClient.computeIfAbsent(s.path("client").asText(), c -> new TreeSet<>())
                        .add(s.path("channel").asText());
            }
        });
        return byClient;
    }

    private static void restart(List<LibertyNode> nodes) throws InterruptedException {
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (LibertyNode node : nodes) {
            starting.add(CompletableFuture.runAsync(node::restart));
        }
        starting.forEach(CompletableFuture::join);
        for (LibertyNode node : nodes) {
            node.awaitStarted(WAIT);
        }
    }

    @Test
    @Order(1)
    void everyNodeKeepsTheRecordsUnderItsDataDirectory() throws Exception {
        for (LibertyNode node : cluster.all()) {
            Path data = node.messagesLog().getParent().getParent().resolve("data");
            assertThat(data.resolve("clients/data"))
                    .as("%s keeps clients", node.name())
                    .isDirectory();
            assertThat(data.resolve("subscriptions/data")).isDirectory();
            assertThat(data.resolve("tombstones/data")).isDirectory();
            try (var files = Files.list(data)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .as("the records and this node's membership only: no rate-limit budgets (ratelimits), no"
                                + " stream interest, no node records")
                        .containsExactlyInAnyOrder("clients", "subscriptions", "tombstones", "probes", "node-state");
            }
        }
    }

    @Test
    @Order(2)
    void stoppingEveryNodeWithSigtermAndStartingThemAgainLosesNothing() throws Exception {
        LibertyNode.closeAll(cluster.all());
        assertThat(simulator.sessions()).as("no node runs a session").isEmpty();

        List<LibertyNode> reversed = new ArrayList<>(cluster.all());
        java.util.Collections.reverse(reversed);
        restart(reversed);

        awaitEverythingLive();
        for (LibertyNode node : cluster.all()) {
            assertThat(node.log()).as(node.name()).contains("NOVA-1045");
        }
    }

    @Test
    @Order(3)
    void afterKillingEveryNodeANodeStartedAloneWaitsForQuorumThenEverythingComesBack() throws Exception {
        for (LibertyNode node : cluster.all()) {
            node.kill9();
        }
        await().atMost(WAIT).until(() -> simulator.sessions().isEmpty());

        LibertyNode alone = cluster.node(3);
        restart(List.of(alone));
        JsonNode view = alone.http().get("/api/cluster").json();
        assertThat(view.path("quorum").asBoolean())
                .as("alone with the records of a three-node cluster: %s", view)
                .isFalse();
        assertThat(view.path("status").asText()).isEqualTo("paused");
        await().atMost(WAIT).until(() -> clients(alone.http()).equals(expected.keySet()));
        await().during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(10))
                .until(() -> simulator.sessions().isEmpty());

        restart(List.of(cluster.node(1), cluster.node(2)));
        awaitEverythingLive();
        assertThat(StreamSupport.stream(
                                node(3).get("/api/cluster").json().path("nodes").spliterator(), false)
                        .map(n -> n.path("name").asText())
                        .toList())
                .containsExactlyInAnyOrder("n1", "n2", "n3");
    }
}
