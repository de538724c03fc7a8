package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.cluster.TestPki;
import dev.nova.it.support.ClusterPorts;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.PacketCapture;
import dev.nova.it.support.SseStream;
import dev.nova.it.support.ThreeNodes;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster's PKI instead of a shared secret for its traffic ({@code nova.cluster.tls.*}): two Liberty nodes with
 * certificates of an authority made for the run talk over TLS; a capture of their ports holds nothing of the cluster,
 * not even its name; a node whose certificate nobody signed never joins and receives no client; a killed member's
 * credentialed client is taken over (its secret, sealed with a key derived from the cluster secret that PKI setups
 * set for that purpose, opened by the survivor). Quorum size 1, so that the survivor of two keeps running clients.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPkiIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ACCOUNT = "pki-account";
    private static final String ACCOUNT_SECRET = "pki-account-secret-" + System.nanoTime();
    private static final String CHANNEL = "trades.LINK-PERPETUAL.raw";

    private static ExchangeSimulator simulator;
    private static TestPki pki;
    private static ThreeNodes cluster;
    private static CompletableFuture<LibertyNode> intruderStarting;

    @BeforeAll
    static void start() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(20)
                .deribitMinHeartbeatSeconds(1)
                .credentials(ACCOUNT, ACCOUNT_SECRET));
        pki = TestPki.create(Path.of("target", "it-pki"));
        Map<String, Path> keystores = Map.of("n1", pki.signed("n1"), "n2", pki.signed("n2"));
        Map<String, String> env = Fixtures.fastSessions();
        env.put("NOVA_CLUSTER_TLS_KEYSTORE_PASSWORD", pki.password());
        env.put("NOVA_CLUSTER_TLS_TRUSTSTORE", pki.truststore().toString());
        env.put("NOVA_CLUSTER_TLS_TRUSTSTORE_PASSWORD", pki.password());
        env.put("NOVA_CLUSTER_QUORUM_SIZE", "1");
        cluster = ThreeNodes.start(
                2,
                env,
                name -> Map.of("NOVA_CLUSTER_TLS_KEYSTORE", keystores.get(name).toString()),
                WAIT);
        // The intruder starts while the first test runs (its handshakes fail the whole time), to keep the class short.
        Map<String, String> intruderEnv = new HashMap<>(cluster.node(1).environment());
        intruderEnv.remove("HTTPS_PORT");
        intruderEnv.put("NOVA_NODE_NAME", "n3");
        intruderEnv.put("NOVA_NODE_REGION", "ap-east");
        intruderEnv.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(ClusterPorts.allocate(1)));
        intruderEnv.put("NOVA_CLUSTER_TLS_KEYSTORE", pki.selfSigned("n3").toString());
        intruderStarting =
                CompletableFuture.supplyAsync(() -> LibertyNode.start("n3", intruderEnv, LibertyNode.freePort()));
    }

    @AfterAll
    static void stop() {
        AutoCloseable intruder =
                intruderStarting == null ? null : () -> intruderStarting.join().close();
        Fixtures.close(simulator, cluster, intruder);
    }

    private static Http node(int number) {
        return cluster.node(number).http();
    }

    @Test
    @Order(1)
    void membersTalkOverTlsAndACaptureHoldsNothingOfTheCluster() throws Exception {
        JsonNode encryption =
                node(1).get("/api/cluster/diagnostics").json().path("transport").path("encryption");
        assertThat(encryption.path("enabled").asBoolean()).as("%s", encryption).isTrue();
        assertThat(encryption.path("pki").asBoolean()).isTrue();
        assertThat(encryption.path("algorithm").asText()).isEqualTo("TLSv1.3");
        assertThat(cluster.node(1).log()).contains("NOVA-1003").contains("over TLS 1.3");

        List<Integer> ports = new ArrayList<>();
        for (LibertyNode node : cluster.all()) {
            ports.add(Integer.parseInt(node.environment().get("NOVA_CLUSTER_BIND_PORT")));
        }
        byte[] captured;
        try (PacketCapture capture = PacketCapture.start(Path.of("target/captures/pki-ports.pcap"), ports)) {
            Http.Reply created = node(2).post(
                            "/api/clients",
                            "{\"name\":\"pki-client\",\"platform\":\"deribit\",\"preferredRegion\":\"eu-west\",\"url\":\""
                                    + simulator.deribitUrl() + "\",\"credentials\":{\"clientId\":\"" + ACCOUNT
                                    + "\",\"clientSecret\":\"" + ACCOUNT_SECRET + "\"},\"channels\":[\"" + CHANNEL
                                    + "\"]}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            assertThat(created.json().path("owner").asText()).isEqualTo("n1");
            try (SseStream stream = new SseStream(node(2).uri("/api/stream?channel=" + CHANNEL))) {
                for (int i = 0; i < 10; i++) {
                    assertThat(stream.next(WAIT).json().path("client").asText()).isEqualTo("pki-client");
                }
            }
            captured = capture.stop();
        }
        assertThat(captured.length)
                .as("the capture holds the cluster's traffic")
                .isGreaterThan(10_000);
        String clusterName = cluster.node(1).environment().get("NOVA_CLUSTER_NAME");
        assertThat(PacketCapture.contains(captured, clusterName))
                .as("the cluster name")
                .isFalse();
        assertThat(PacketCapture.contains(captured, ACCOUNT_SECRET))
                .as("the client secret")
                .isFalse();
        assertThat(PacketCapture.contains(captured, ACCOUNT))
                .as("the client id")
                .isFalse();
        assertThat(PacketCapture.contains(captured, "LINK-PERPETUAL"))
                .as("the instrument")
                .isFalse();
    }

    @Test
    @Order(2)
    void aNodeWithACertificateNobodySignedNeverJoinsAndGetsNoClient() throws Exception {
        try (LibertyNode intruder = intruderStarting.join()) {
            intruder.awaitStarted(WAIT);
            Http.Reply preferring = node(2).post(
                            "/api/clients",
                            "{\"name\":\"prefers-ap-east\",\"platform\":\"binance\",\"preferredRegion\":\"ap-east\","
                                    + "\"url\":\"" + simulator.binanceUrl() + "\",\"channels\":[\"linkusdt@trade\"]}");
            assertThat(preferring.status()).as(preferring.text()).isEqualTo(201);

            // Discovery and merge checks go on the whole time: no handshake with the intruder completes.
            await().during(Duration.ofSeconds(8))
                    .atMost(Duration.ofSeconds(12))
                    .until(() -> ThreeNodes.members(cluster.node(1)).size() == 2
                            && ThreeNodes.members(cluster.node(2)).size() == 2
                            && ThreeNodes.members(intruder).equals(List.of("n3")));
            assertThat(preferring.json().path("owner").asText()).isIn("n1", "n2");
            assertThat(intruder.http().get("/api/clients").json().findValuesAsText("name"))
                    .doesNotContain("pki-client", "prefers-ap-east");
            assertThat(cluster.node(1).log() + cluster.node(2).log())
                    .contains("NOVA-1034")
                    .contains("CN=n3")
                    .doesNotContain(pki.password());
            assertThat(node(1).get("/api/cluster/diagnostics")
                            .json()
                            .path("transport")
                            .path("encryption")
                            .path("refusedHandshakes")
                            .asLong())
                    .isPositive();
            assertThat(node(1).delete("/api/clients/prefers-ap-east").status()).isEqualTo(204);
        }
    }

    @Test
    @Order(3)
    void aKilledMembersCredentialedClientIsTakenOverAndAuthenticates() throws Exception {
        cluster.node(1).kill9();

        await().atMost(WAIT).until(() -> {
            JsonNode client = node(2).get("/api/clients/pki-client").json();
            return client.path("owner").asText().equals("n2")
                    && client.path("state").asText().equals("CONNECTED");
        });
        await().atMost(WAIT).until(() -> simulator.sessions().stream()
                .anyMatch(s -> ACCOUNT.equals(s.account()) && s.channels().contains(CHANNEL)));
        assertThat(cluster.node(2).log()).doesNotContain(ACCOUNT_SECRET);
    }
}
