package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.SseStream;
import dev.nova.it.support.ThreeNodes;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The failover policy knobs on three real servers: {@code delayed} waits its delay before moving a client, and a
 * client that no node can get connected within {@code max-attempts} attempts ends {@code FAILED}, unassigned, until
 * an operator restarts it.
 */
class FailoverPolicyIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long DELAY_MS = 4000;

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(10).deribitMinHeartbeatSeconds(1));
        Map<String, String> env = Fixtures.fastSessions();
        env.put("NOVA_CONNECTION_BACKOFF_MAX", "500");
        env.put("NOVA_EXCHANGES_DERIBIT_PRIMARY_REGION", "us-east");
        env.put("NOVA_FAILOVER_STRATEGY", "delayed");
        env.put("NOVA_FAILOVER_DELAY", Long.toString(DELAY_MS));
        env.put("NOVA_FAILOVER_MAX_ATTEMPTS", "2");
        env.put("NOVA_FAILOVER_ATTEMPT_TIMEOUT", "2000");
        cluster = ThreeNodes.start(env, WAIT);
    }

    @AfterAll
    static void stopCluster() {
        Fixtures.close(simulator, cluster);
    }

    private static Http node(int number) {
        return cluster.node(number).http();
    }

    private static JsonNode client(String name) {
        return node(1).get("/api/clients/" + name).json();
    }

    private static JsonNode create(String name, String url, String channel) {
        Http.Reply reply = node(1).post(
                        "/api/clients",
                        "{\"name\":\"" + name + "\",\"platform\":\"deribit\",\"url\":\"" + url + "\",\"channels\":[\""
                                + channel + "\"]}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        return reply.json();
    }

    private static JsonNode next(SseStream events, String type, String client) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            SseStream.Event event = events.next(WAIT);
            JsonNode data = event.json();
            if (type.equals(event.name())
                    && (client == null || client.equals(data.path("client").asText()))) {
                return data;
            }
        }
        throw new AssertionError("no " + type);
    }

    private static void restartIfDown(LibertyNode node) throws InterruptedException {
        if (node.http().isUp()) {
            return;
        }
        node.restart();
        node.awaitStarted(WAIT);
        await().atMost(WAIT).until(() -> cluster.all().stream()
                .allMatch(n -> ThreeNodes.members(n).size() == 3));
    }

    @Test
    void delayedFailoverWaitsItsDelayAfterTheOwnerLeaves() throws Exception {
        JsonNode created = create("delayed-client", simulator.deribitUrl(), "trades.BTC-PERPETUAL.raw");
        LibertyNode owner = cluster.named(created.path("owner").asText());
        Http witness = cluster.all().stream()
                .filter(n -> n != owner)
                .findFirst()
                .orElseThrow()
                .http();
        await().atMost(WAIT).until(() -> "CONNECTED"
                .equals(client("delayed-client").path("state").asText()));
        try (SseStream events = new SseStream(witness.uri("/api/events"))) {
            owner.kill9();

            JsonNode left = next(events, "nova.cluster.node.left", null);
            JsonNode started = next(events, "nova.cluster.failover.started", "delayed-client");
            assertThat(started.path("at").asLong() - left.path("at").asLong())
                    .as("delayed waits nova.failover.delay after the owner left")
                    .isGreaterThanOrEqualTo(DELAY_MS - 500);
            next(events, "nova.cluster.failover.completed", "delayed-client");
        } finally {
            restartIfDown(owner);
        }
        assertThat(client("delayed-client").path("owner").asText()).isNotEqualTo(owner.name());
    }

    @Test
    void aClientNoNodeCanConnectFailsAfterItsAttemptsAndRestartBringsItBack() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        JsonNode created =
                create("doomed-client", "ws://127.0.0.1:" + closedPort + "/ws/api/v2", "trades.X-PERPETUAL.raw");
        LibertyNode owner = cluster.named(created.path("owner").asText());
        Http witness = cluster.all().stream()
                .filter(n -> n != owner)
                .findFirst()
                .orElseThrow()
                .http();
        try (SseStream events = new SseStream(witness.uri("/api/events"))) {
            owner.kill9();

            JsonNode failed = next(events, "nova.cluster.failover.failed", "doomed-client");
            assertThat(failed.path("detail").asText()).contains("gave up after 2 attempt(s)");
            assertThat(failed.path("durationMs").asLong()).isPositive();
        } finally {
            restartIfDown(owner);
        }
        JsonNode after = witness.get("/api/clients/doomed-client").json();
        assertThat(after.path("state").asText()).isEqualTo("FAILED");
        assertThat(after.has("owner")).as("nobody runs a failed client").isFalse();

        Http.Reply restarted = witness.post("/api/clients/doomed-client/restart", "{}");
        assertThat(restarted.status()).as(restarted.text()).isEqualTo(200);
        JsonNode back = witness.get("/api/clients/doomed-client").json();
        assertThat(back.path("owner").asText()).isIn(List.of("n1", "n2", "n3"));
        assertThat(back.path("state").asText()).isNotEqualTo("FAILED");
    }
}
