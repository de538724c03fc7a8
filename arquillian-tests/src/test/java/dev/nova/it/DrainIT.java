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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Draining a node, and a rolling restart, on three real servers (issue 23, item 2): every client of the node moves
 * away by a make-before-break transfer, so a consumer streaming the clients' channels from another node sees every
 * exchange sequence number once, in order, with no gap.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> CHANNELS =
            List.of("trades.DA-PERPETUAL.raw", "trades.DB-PERPETUAL.raw", "trades.DC-PERPETUAL.raw");

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(20).deribitMinHeartbeatSeconds(1));
        Map<String, String> env = Fixtures.fastSessions();
        // Deribit's clients are placed on n2 (us-east) first.
        env.put("NOVA_EXCHANGES_DERIBIT_PRIMARY_REGION", "us-east");
        env.put("NOVA_EXCHANGES_DERIBIT_FAILOVER_REGIONS", "ap-east");
        cluster = ThreeNodes.start(env, WAIT);
        for (int i = 0; i < CHANNELS.size(); i++) {
            Http.Reply reply = node(1).post(
                            "/api/clients",
                            "{\"name\":\"drained-" + i + "\",\"platform\":\"deribit\",\"url\":\""
                                    + simulator.deribitUrl() + "\",\"channels\":[\"" + CHANNELS.get(i) + "\"]}");
            assertThat(reply.status()).as(reply.text()).isEqualTo(201);
            assertThat(reply.json().path("owner").asText()).isEqualTo("n2");
        }
        await().atMost(WAIT).until(() -> CHANNELS.stream().allMatch(c -> simulator.subscribers(c) == 1));
    }

    @AfterAll
    static void stopCluster() {
        Fixtures.close(simulator, cluster);
    }

    private static Http node(int number) {
        return cluster.node(number).http();
    }

    private static SseStream consumer(Http on) throws Exception {
        String query = CHANNELS.stream().map(c -> "channel=" + c).collect(Collectors.joining("&"));
        SseStream stream = new SseStream(on.uri("/api/stream?" + query));
        assertThat(stream.status()).isEqualTo(200);
        return stream;
    }

    /** What a node says of itself in {@code GET /api/cluster}, as seen from {@code on}. */
    private static String statusOf(Http on, String node) {
        for (JsonNode member : on.get("/api/cluster").json().path("nodes")) {
            if (member.path("name").asText().equals(node)) {
                return member.path("status").asText();
            }
        }
        return "absent";
    }

    private static Map<String, String> owners(Http on) {
        Map<String, String> owners = new HashMap<>();
        for (JsonNode client : on.get("/api/clients").json()) {
            owners.put(client.path("name").asText(), client.path("owner").asText());
        }
        return owners;
    }

    /** Every channel's messages, in the order received: sequence numbers one after the other, none marked a gap. */
    private static void assertNoGap(List<JsonNode> received, int atLeastPerChannel) {
        Map<String, List<JsonNode>> byChannel = received.stream()
                .collect(Collectors.groupingBy(m -> m.path("channel").asText()));
        assertThat(byChannel.keySet()).containsExactlyInAnyOrderElementsOf(CHANNELS);
        byChannel.forEach((channel, messages) -> {
            List<Long> sequences =
                    messages.stream().map(m -> m.path("sequence").asLong()).toList();
            for (int i = 1; i < sequences.size(); i++) {
                assertThat(sequences.get(i))
                        .as("%s: the message after %s", channel, sequences.get(i - 1))
                        .isEqualTo(sequences.get(i - 1) + 1);
            }
            assertThat(messages).as(channel).noneMatch(m -> m.path("gap").asBoolean());
            assertThat(sequences.size()).as(channel).isGreaterThanOrEqualTo(atLeastPerChannel);
        });
    }

    private static List<JsonNode> read(SseStream stream, Duration window) throws InterruptedException {
        List<JsonNode> received = new ArrayList<>();
        for (SseStream.Event event : stream.drain(window)) {
            if ("message".equals(event.name())) {
                received.add(event.json());
            }
        }
        return received;
    }

    @Test
    @Order(1)
    void aDrainedNodeMovesEveryClientAwayWithNoGapAndGetsNoNewOne() throws Exception {
        List<JsonNode> received = new ArrayList<>();
        try (SseStream stream = consumer(node(1))) {
            received.addAll(read(stream, Duration.ofSeconds(2)));

            Http.Reply asked = node(3).post("/api/cluster/nodes/n2/drain", "");
            assertThat(asked.status()).as(asked.text()).isEqualTo(202);
            assertThat(asked.json().path("node").asText()).isEqualTo("n2");
            assertThat(asked.json().path("status").asText()).isIn("draining", "drained");

            await().atMost(WAIT).until(() -> statusOf(node(1), "n2").equals("drained"));
            assertThat(owners(node(1)).values()).doesNotContain("n2");
            received.addAll(read(stream, Duration.ofSeconds(3)));
        }
        assertNoGap(received, 40);
        await().atMost(WAIT).until(() -> CHANNELS.stream().allMatch(c -> simulator.subscribers(c) == 1));

        Http.Reply placed = node(1).post(
                        "/api/clients",
                        "{\"name\":\"not-on-a-drained-node\",\"platform\":\"deribit\",\"url\":\""
                                + simulator.deribitUrl() + "\",\"channels\":[\"trades.DD-PERPETUAL.raw\"]}");
        assertThat(placed.status()).as(placed.text()).isEqualTo(201);
        assertThat(placed.json().path("owner").asText())
                .as("the exchange's region has only the drained node")
                .isNotEqualTo("n2");
        Http.Reply refused = node(1).post("/api/clients/not-on-a-drained-node/transfer", "{\"targetNode\":\"n2\"}");
        assertThat(refused.status()).as(refused.text()).isEqualTo(409);
        assertThat(refused.json().path("detail").asText()).contains("being drained");
        assertThat(node(1).delete("/api/clients/not-on-a-drained-node").status())
                .isEqualTo(204);

        Http.Reply undrained = node(2).delete("/api/cluster/nodes/n2/drain");
        assertThat(undrained.status()).as(undrained.text()).isEqualTo(200);
        assertThat(undrained.json().path("status").asText()).isEqualTo("active");
        await().atMost(WAIT).until(() -> List.of("ready", "degraded").contains(statusOf(node(3), "n2")));
        assertThat(node(1).post("/api/cluster/nodes/ghost/drain", "").status()).isEqualTo(404);
    }

    @Test
    @Order(2)
    void aRollingRestartUnderLoadLosesNoMessageAtAConsumer() throws Exception {
        for (int restarted = 1; restarted <= 3; restarted++) {
            LibertyNode stopping = cluster.node(restarted);
            Http watching = node(restarted % 3 + 1);
            if (!owners(watching).containsValue(stopping.name())) {
                // Every node that stops must have something to move.
                String client = "drained-" + (restarted - 1);
                await().atMost(WAIT).until(() -> "CONNECTED"
                        .equals(watching.get("/api/clients/" + client)
                                .json()
                                .path("state")
                                .asText()));
                Http.Reply moved = watching.post(
                        "/api/clients/" + client + "/transfer", "{\"targetNode\":\"" + stopping.name() + "\"}");
                assertThat(moved.status()).as(moved.text()).isEqualTo(200);
            }
            List<JsonNode> received = new ArrayList<>();
            List<SseStream.Event> failovers;
            try (SseStream stream = consumer(watching);
                    SseStream events = new SseStream(watching.uri("/api/events?type=nova.cluster.failover.started"))) {
                received.addAll(read(stream, Duration.ofSeconds(1)));
                stopping.close();
                received.addAll(read(stream, Duration.ofSeconds(1)));
                assertThat(owners(watching).values())
                        .as("%s moved its clients away before it stopped", stopping.name())
                        .doesNotContain(stopping.name());
                stopping.restart();
                stopping.awaitStarted(WAIT);
                await().atMost(WAIT).until(() -> ThreeNodes.members(stopping).size() == 3);
                received.addAll(read(stream, Duration.ofSeconds(2)));
                failovers = events.drain(Duration.ofMillis(200));
            }
            assertNoGap(received, 20);
            assertThat(failovers)
                    .as("no client failed over while %s restarted: it moved them first", stopping.name())
                    .isEmpty();
        }
        await().atMost(WAIT).until(() -> CHANNELS.stream().allMatch(c -> simulator.subscribers(c) == 1));
        for (String client : owners(node(2)).keySet()) {
            assertThat(node(2).get("/api/clients/" + client)
                            .json()
                            .path("state")
                            .asText())
                    .as(client)
                    .isEqualTo("CONNECTED");
        }
    }
}
