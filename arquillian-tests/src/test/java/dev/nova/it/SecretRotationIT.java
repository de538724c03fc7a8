package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.ThreeNodes;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster secret rotated without downtime, as README's three rolling steps say: every node restarted in turn
 * with (old, previous new), then (new, previous old), then (new). The cluster starts as step 1 leaves it (old,
 * previous new): step 1 changes nothing on the wire (every node still sends with the old secret, and a node that
 * accepts the new one too reads the others as before; ClusterCipherTest covers the mixed keys), so its three
 * restarts are left out to keep the suite short. Steps 2 and 3, where what nodes send changes, restart every node
 * in turn. Throughout, every node that is up keeps quorum and
 * lists every client; after each restart the node is back in a view of three and every client is connected. One
 * client holds exchange credentials: before the last step its secret is sealed again with the new cluster secret,
 * and after it the client still authenticates.
 */
class SecretRotationIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OLD = LibertyNode.CLUSTER_SECRET;
    private static final String NEW = "the rotated cluster secret " + UUID.randomUUID();
    private static final List<String> CLIENTS = List.of("rotate-deribit", "rotate-binance", "rotate-private");
    private static final String ACCOUNT = "rotate-account";
    private static final String ACCOUNT_SECRET = "rotate-account-secret-" + UUID.randomUUID();

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;

    @BeforeAll
    static void start() throws Exception {
        simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(20).credentials(ACCOUNT, ACCOUNT_SECRET));
        cluster = ThreeNodes.start(Map.of("NOVA_CLUSTER_PREVIOUS_SECRET", NEW), WAIT);
        Http api = cluster.node(1).http();
        assertThat(api.post(
                                "/api/clients",
                                "{\"name\":\"rotate-deribit\",\"platform\":\"deribit\",\"url\":\""
                                        + simulator.deribitUrl() + "\",\"channels\":[\"trades.BTC-PERPETUAL.raw\"]}")
                        .status())
                .isEqualTo(201);
        assertThat(api.post(
                                "/api/clients",
                                "{\"name\":\"rotate-binance\",\"platform\":\"binance\",\"url\":\""
                                        + simulator.binanceUrl() + "\",\"channels\":[\"btcusdt@trade\"]}")
                        .status())
                .isEqualTo(201);
        assertThat(api.post(
                                "/api/clients",
                                "{\"name\":\"rotate-private\",\"platform\":\"deribit\",\"url\":\""
                                        + simulator.deribitUrl() + "\",\"credentials\":{\"clientId\":\"" + ACCOUNT
                                        + "\",\"clientSecret\":\"" + ACCOUNT_SECRET
                                        + "\"},\"channels\":[\"book.BTC-PERPETUAL.100ms\"]}")
                        .status())
                .isEqualTo(201);
        awaitEveryClientConnected();
        assertThat(authenticatedSessions()).hasSize(1);
    }

    @AfterAll
    static void stop() {
        dev.nova.it.support.Fixtures.close(simulator, cluster);
    }

    @Test
    void aClusterRotatedNodeByNodeNeverLosesQuorumOrAClient() throws Exception {
        List<Map<String, String>> steps = List.of(
                Map.of("NOVA_CLUSTER_SECRET", NEW, "NOVA_CLUSTER_PREVIOUS_SECRET", OLD),
                Map.of("NOVA_CLUSTER_SECRET", NEW, "NOVA_CLUSTER_PREVIOUS_SECRET", ""));
        Queue<String> broken = new ConcurrentLinkedQueue<>();
        AtomicReference<LibertyNode> restarting = new AtomicReference<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                for (LibertyNode node : cluster.all()) {
                    if (node != restarting.get()) {
                        look(node, broken);
                    }
                }
                sleep(200);
            }
        });
        watcher.setDaemon(true);
        watcher.start();
        try {
            for (Map<String, String> step : steps) {
                if (step.get("NOVA_CLUSTER_PREVIOUS_SECRET").isEmpty()) {
                    // README's rotation: before the previous secret is dropped, every exchange secret is sealed with
                    // the new one (a consistency pass on the coordinator does it; a sync runs one now).
                    assertThat(cluster.node(1)
                                    .http()
                                    .post("/api/cluster/sync", "{}")
                                    .status())
                            .isEqualTo(200);
                    await().atMost(WAIT).untilAsserted(() -> {
                        for (LibertyNode node : cluster.all()) {
                            JsonNode credentials = node.http()
                                    .get("/api/cluster/diagnostics")
                                    .json()
                                    .path("credentials");
                            assertThat(credentials
                                            .path("sealedWithPreviousSecret")
                                            .asInt())
                                    .as("%s: %s", node.name(), credentials)
                                    .isZero();
                            assertThat(credentials
                                            .path("sealedWithCurrentSecret")
                                            .asInt())
                                    .isEqualTo(1);
                        }
                    });
                }
                for (LibertyNode node : cluster.all()) {
                    restarting.set(node);
                    node.close();
                    node.restart(step);
                    node.awaitStarted(WAIT);
                    await().atMost(WAIT).until(() -> cluster.all().stream()
                            .allMatch(n -> ThreeNodes.members(n).size() == 3));
                    restarting.set(null);
                    assertThat(encryption(node).path("acceptsPreviousSecret").asBoolean())
                            .as("%s restarted with %s", node.name(), step.keySet())
                            .isEqualTo(!step.get("NOVA_CLUSTER_PREVIOUS_SECRET").isEmpty());
                    awaitEveryClientConnected();
                }
            }
        } finally {
            watching.set(false);
            watcher.join();
        }
        assertThat(broken)
                .as("what the running nodes showed during the rotation")
                .isEmpty();
        // The credentialed client authenticates again, its secret opened by the new key alone: stopped (its session
        // closes) and restarted (a new one).
        assertThat(cluster.node(2)
                        .http()
                        .post("/api/clients/rotate-private/stop", "{}")
                        .status())
                .isEqualTo(200);
        await().atMost(WAIT).until(() -> authenticatedSessions().isEmpty());
        assertThat(cluster.node(2)
                        .http()
                        .post("/api/clients/rotate-private/restart", "{}")
                        .status())
                .isEqualTo(200);
        await().atMost(WAIT).until(() -> authenticatedSessions().size() == 1);
        awaitEveryClientConnected();
        for (LibertyNode node : cluster.all()) {
            JsonNode encryption = encryption(node);
            assertThat(encryption.path("enabled").asBoolean()).isTrue();
            assertThat(encryption.path("acceptsPreviousSecret").asBoolean()).isFalse();
            assertThat(node.log()).doesNotContain(NEW).doesNotContain(OLD).doesNotContain(ACCOUNT_SECRET);
        }
    }

    /** The simulator's Deribit sessions authenticated as the test account, by session id. */
    private static Set<Integer> authenticatedSessions() {
        return simulator.sessions().stream()
                .filter(s -> ACCOUNT.equals(s.account()))
                .map(ExchangeSimulator.SessionInfo::id)
                .collect(java.util.stream.Collectors.toSet());
    }

    private static JsonNode encryption(LibertyNode node) {
        return node.http()
                .get("/api/cluster/diagnostics")
                .json()
                .path("transport")
                .path("encryption");
    }

    /** Notes a node that is up without quorum, or that does not list every client. */
    private static void look(LibertyNode node, Queue<String> broken) {
        try {
            JsonNode diagnostics = node.http().get("/api/cluster/diagnostics").json();
            if (!diagnostics.path("quorum").asBoolean()) {
                broken.add(node.name() + " without quorum, members " + diagnostics.path("members"));
            }
            Set<String> listed =
                    Set.copyOf(node.http().get("/api/clients").json().findValuesAsText("name"));
            if (!listed.containsAll(CLIENTS)) {
                broken.add(node.name() + " lists " + listed);
            }
        } catch (RuntimeException notAnswering) {
            // A node that does not answer is not up: the restarts are awaited, and checked, by the test itself.
        }
    }

    private static void awaitEveryClientConnected() {
        await().atMost(WAIT).until(() -> {
            List<String> states = new ArrayList<>();
            JsonNode clients = cluster.node(1).http().get("/api/clients").json();
            StreamSupport.stream(clients.spliterator(), false)
                    .filter(c -> CLIENTS.contains(c.path("name").asText()))
                    .forEach(c -> states.add(c.path("state").asText()));
            return states.size() == CLIENTS.size() && states.stream().allMatch("CONNECTED"::equals);
        });
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
