package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ClusterPorts;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.Sequences;
import dev.nova.it.support.SseStream;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code nova.loadbalancing.strategy=least_connections} on real servers: n1 (eu-west) and n2 (us-east) run six
 * Deribit clients, which may run anywhere (no region for Deribit is configured); n3 (eu-west) joins later with
 * {@code nova.cluster.components.telemetry=false}. Binance's primary region is us-east, so its clients are region
 * aware and may only run on n2. Rebalance interval 3 s, max imbalance 0.25, two moves per round.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadBalancingIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final long INTERVAL_MS = 3_000;
    private static final Pattern MOVES = Pattern.compile("^(\\d+) move\\(s\\)");

    private static ExchangeSimulator simulator;
    private static final List<LibertyNode> nodes = new ArrayList<>();
    private static Map<String, String> common;
    private static int base;
    private static SseStream eventsOnN1;

    @BeforeAll
    static void startTwo() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults().messagesPerSecond(20));
        base = ClusterPorts.allocate(3);
        String hosts = "127.0.0.1[" + base + "],127.0.0.1[" + (base + 1) + "],127.0.0.1[" + (base + 2) + "]";
        common = new HashMap<>();
        common.put("NOVA_CLUSTER_NAME", "it-lb-" + System.nanoTime());
        common.put("NOVA_CLUSTER_INITIAL_HOSTS", hosts);
        common.put("NOVA_CLUSTER_FD_PORT_OFFSET", Integer.toString(ClusterPorts.FD_OFFSET));
        common.put("NOVA_LOADBALANCING_STRATEGY", "least_connections");
        common.put("NOVA_LOADBALANCING_REBALANCE_INTERVAL", Long.toString(INTERVAL_MS));
        common.put("NOVA_LOADBALANCING_MAX_IMBALANCE", "0.25");
        common.put("NOVA_EXCHANGES_BINANCE_PRIMARY_REGION", "us-east");
        List<CompletableFuture<LibertyNode>> starting = List.of(
                CompletableFuture.supplyAsync(() -> start("n1", "eu-west", Map.of())),
                CompletableFuture.supplyAsync(() -> start("n2", "us-east", Map.of())));
        nodes.addAll(LibertyNode.awaitAll(starting, WAIT));
        await().atMost(WAIT).until(() -> members(node(1)) == 2 && members(node(2)) == 2);
        eventsOnN1 = new SseStream(node(1).uri("/api/events?type=nova.cluster.rebalance.started"
                + "&type=nova.cluster.rebalance.completed&type=nova.cluster.transfer.completed"));
    }

    private static LibertyNode start(String name, String region, Map<String, String> own) {
        Map<String, String> env = new HashMap<>(common);
        env.put("NOVA_NODE_REGION", region);
        env.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(base + Integer.parseInt(name.substring(1)) - 1));
        env.putAll(own);
        return LibertyNode.start(name, env, LibertyNode.freePort());
    }

    @AfterAll
    static void stop() {
        Fixtures.close(simulator, () -> LibertyNode.closeAll(nodes), eventsOnN1);
    }

    private static Http node(int number) {
        return nodes.get(number - 1).http();
    }

    private static int members(Http on) {
        try {
            return on.get("/api/cluster").json().path("nodes").size();
        } catch (RuntimeException notYet) {
            return 0;
        }
    }

    private static String channel(int i) {
        return "trades.LB" + i + "-PERPETUAL.raw";
    }

    private static void create(Http via, String json) {
        Http.Reply reply = via.post("/api/clients", json);
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    }

    /** Owner of each client, as n1 sees it. */
    private static Map<String, String> owners() {
        return StreamSupport.stream(node(1).get("/api/clients").json().spliterator(), false)
                .collect(Collectors.toMap(
                        c -> c.path("name").asText(), c -> c.path("owner").asText()));
    }

    private static Map<String, Long> loadsOfDeribitClients() {
        return owners().entrySet().stream()
                .filter(e -> e.getKey().startsWith("lb-"))
                .collect(Collectors.groupingBy(Map.Entry::getValue, Collectors.counting()));
    }

    private static boolean allConnected() {
        return StreamSupport.stream(node(1).get("/api/clients").json().spliterator(), false)
                .allMatch(c -> c.path("state").asText().equals("CONNECTED"));
    }

    /** Moves reported by the rebalance.completed events among {@code events}. */
    private static int moves(List<SseStream.Event> events) {
        int moves = 0;
        for (SseStream.Event event : events) {
            if (event.name().equals("nova.cluster.rebalance.completed")) {
                Matcher m = MOVES.matcher(event.json().path("detail").asText());
                assertThat(m.find()).as(event.data()).isTrue();
                moves += Integer.parseInt(m.group(1));
            }
        }
        return moves;
    }

    @Test
    @Order(1)
    void nothingMovesWhileEveryNodeIsWithinTheMaxImbalance() throws Exception {
        for (int i = 0; i < 6; i++) {
            create(
                    node(1),
                    "{\"name\":\"lb-" + i + "\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                            + "\",\"channels\":[\"" + channel(i) + "\"]}");
        }
        for (int i = 0; i < 2; i++) {
            create(
                    node(1),
                    "{\"name\":\"pinned-" + i + "\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                            + "\",\"clusterEnabled\":false}");
        }
        await().atMost(WAIT).until(LoadBalancingIT::allConnected);
        Map<String, String> before = owners();
        assertThat(before.values().stream().filter("n1"::equals).count())
                .as("3 movable and 2 pinned clients on n1: 5 against a mean of 4, exactly 25 % above")
                .isEqualTo(5);

        List<SseStream.Event> events = eventsOnN1.drain(Duration.ofMillis(2 * INTERVAL_MS));

        assertThat(events).as("no rebalance within the max imbalance").isEmpty();
        assertThat(owners()).isEqualTo(before);
        JsonNode cluster = node(2).get("/api/cluster").json();
        assertThat(cluster.path("strategy").asText()).isEqualTo("least_connections");
        assertThat(cluster.path("imbalance").asDouble()).isEqualTo(0.25);
        for (JsonNode n : cluster.path("nodes")) {
            assertThat(n.path("counted").asBoolean()).as(n.toString()).isTrue();
        }
        for (int i = 0; i < 2; i++) {
            assertThat(node(1).delete("/api/clients/pinned-" + i).status()).isEqualTo(204);
        }
    }

    @Test
    @Order(2)
    void aJoiningNodeGetsItsShareInExactlyTwoMovesAndConsumersSeeNoGapOrDuplicate() throws Exception {
        await().atMost(WAIT).until(() -> owners().size() == 6);
        StringBuilder query = new StringBuilder("/api/stream?");
        for (int i = 0; i < 6; i++) {
            query.append(i == 0 ? "" : "&").append("channel=").append(channel(i));
        }
        try (SseStream data = new SseStream(node(2).uri(query.toString()))) {
            data.next(WAIT);
            CompletableFuture<LibertyNode> n3 = CompletableFuture.supplyAsync(
                    () -> start("n3", "eu-west", Map.of("NOVA_CLUSTER_COMPONENTS_TELEMETRY", "false")));
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> members(node(1)) == 3);
            long joinedAt = System.currentTimeMillis();
            nodes.add(n3.join());
            nodes.get(2).awaitStarted(WAIT);

            // Counted one interval after it joined, moved to at the next round: within two intervals, plus the two
            // transfers and the time the joiner may still need to register (its node record) after joining the view.
            await().atMost(Duration.ofMillis(2 * INTERVAL_MS).plusSeconds(20))
                    .until(() -> loadsOfDeribitClients().equals(Map.of("n1", 2L, "n2", 2L, "n3", 2L)));
            long balancedAfter = System.currentTimeMillis() - joinedAt;
            List<SseStream.Event> events = eventsOnN1.drain(Duration.ofMillis(INTERVAL_MS + 1000));

            assertThat(moves(events)).as("moves in %s", events).isEqualTo(2);
            assertThat(events).anyMatch(e -> e.name().equals("nova.cluster.rebalance.started"));
            assertThat(events)
                    .as("n3 keeps its own events (telemetry=false): its transfer.completed never reach n1")
                    .noneMatch(e -> e.name().equals("nova.cluster.transfer.completed")
                            && e.json().path("node").asText().equals("n3"));
            assertThat(nodes.get(2).log()).contains("nova.cluster.transfer.completed");
            System.out.printf("n3 joined; balanced 2/2/2 %d ms after it joined the view%n", balancedAfter);

            assertThat(Sequences.assertConsecutive(data.drain(Duration.ofSeconds(2)), 100))
                    .hasSize(6);
        }
        JsonNode cluster = node(3).get("/api/cluster").json();
        assertThat(cluster.path("imbalance").asDouble()).isZero();
        for (JsonNode n : cluster.path("nodes")) {
            assertThat(n.path("load").asInt()).as(n.toString()).isEqualTo(2);
        }
    }

    @Test
    @Order(3)
    void regionAwareClientsOnlyMoveWithinTheirRegion() throws Exception {
        try (SseStream eventsOnN3 = new SseStream(node(3).uri("/api/events?type=nova.cluster.rebalance.completed"))) {
            for (int i = 0; i < 5; i++) {
                create(
                        node(1),
                        "{\"name\":\"regional-" + i + "\",\"platform\":\"binance\",\"url\":\"" + simulator.binanceUrl()
                                + "\"}");
            }
            // 2/7/2: n2 gives away its two Deribit clients; its five Binance clients may run in us-east only.
            await().atMost(Duration.ofMillis(2 * INTERVAL_MS).plus(WAIT))
                    .until(() -> loadsOfDeribitClients().get("n2") == null);
            List<SseStream.Event> more = eventsOnN3.drain(Duration.ofMillis(2 * INTERVAL_MS));

            assertThat(owners().entrySet().stream().filter(e -> e.getKey().startsWith("regional-")))
                    .hasSize(5)
                    .allMatch(e -> e.getValue().equals("n2"));
            assertThat(loadsOfDeribitClients()).isEqualTo(Map.of("n1", 3L, "n3", 3L));
            assertThat(more)
                    .as("the coordinator's events still reach n3, whose own stay local")
                    .anyMatch(e -> !e.json().path("node").asText().equals("n3"));
        }
    }
}
