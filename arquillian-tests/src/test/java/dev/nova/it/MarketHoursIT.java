package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.Sequences;
import dev.nova.it.support.SseStream;
import dev.nova.it.support.ThreeNodes;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code nova.loadbalancing.strategy=market_hours} on two real servers, n1 in eu-west and n2 in us-east, whose clock
 * the test moves (the JVM option {@code nova.test.clock-offset-file}: no endpoint changes the time). Markets: asian
 * 0-7 in ap-east (where no node runs), european 8-15 in eu-west, american 16-23 in us-east.
 *
 * <p>The same cluster, which runs with the default {@code nova.cluster.components.reconnection=true}, shows that a
 * Binance-wide disconnect of clients on both nodes reconnects under Binance's handshake limit per address (the
 * simulator answers 429 past 8 in 2 s); {@code RateLimitLocalIT} shows {@code false} going over it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MarketHoursIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final long INTERVAL_MS = 3_000;

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;
    private static Path clock;

    @BeforeAll
    static void startCluster() throws Exception {
        simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(20).connectionLimit(8, Duration.ofSeconds(2)));
        clock = Path.of("target", "market-clock-" + System.nanoTime()).toAbsolutePath();
        setClockTo(10);
        Map<String, String> env = new HashMap<>();
        env.put(
                "JVM_ARGS",
                System.getProperty("nova.it.jvm-args", "-Xmx512m") + " -Dnova.test.clock-offset-file=" + clock);
        env.put("NOVA_LOADBALANCING_STRATEGY", "market_hours");
        env.put("NOVA_RATELIMIT_BINANCE_CONNECTIONS_PER_WINDOW", "8");
        env.put("NOVA_RATELIMIT_BINANCE_CONNECTION_WINDOW", "2000");
        env.put("NOVA_RATELIMIT_SAFETY_MARGIN", "0.2");
        env.put("NOVA_LOADBALANCING_REBALANCE_INTERVAL", Long.toString(INTERVAL_MS));
        env.put("NOVA_LOADBALANCING_MARKETS", "asian,european,american");
        env.put("NOVA_LOADBALANCING_MARKET_ASIAN_ACTIVE_HOURS", "0-7");
        env.put("NOVA_LOADBALANCING_MARKET_ASIAN_PRIMARY_REGION", "ap-east");
        env.put("NOVA_LOADBALANCING_MARKET_EUROPEAN_ACTIVE_HOURS", "8-15");
        env.put("NOVA_LOADBALANCING_MARKET_EUROPEAN_PRIMARY_REGION", "eu-west");
        env.put("NOVA_LOADBALANCING_MARKET_AMERICAN_ACTIVE_HOURS", "16-23");
        env.put("NOVA_LOADBALANCING_MARKET_AMERICAN_PRIMARY_REGION", "us-east");
        cluster = ThreeNodes.start(2, env, WAIT);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        Fixtures.close(simulator, cluster);
        Files.deleteIfExists(clock);
    }

    /** Moves the nodes' clock to {@code hour}:30 UTC of today (the real date). */
    private static Instant setClockTo(int hour) throws Exception {
        ZonedDateTime target = ZonedDateTime.now(ZoneOffset.UTC).with(LocalTime.of(hour, 30));
        long offset = target.toInstant().toEpochMilli() - System.currentTimeMillis();
        Files.writeString(clock, Long.toString(offset));
        return target.toInstant();
    }

    private static Http node(int number) {
        return cluster.node(number).http();
    }

    private static String create(Http via, String name) {
        Http.Reply reply = via.post(
                "/api/clients",
                "{\"name\":\"" + name + "\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                        + "\",\"channels\":[\"" + channel(name) + "\"]}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        return reply.json().path("owner").asText();
    }

    private static String channel(String client) {
        return "trades." + client.replace("-", "").toUpperCase(java.util.Locale.ROOT) + "-PERPETUAL.raw";
    }

    private static String owner(String name) {
        return node(1).get("/api/clients/" + name).json().path("owner").asText();
    }

    private static String state(String name) {
        return node(1).get("/api/clients/" + name).json().path("state").asText();
    }

    @Test
    @Order(1)
    void clientsArePlacedInTheActiveMarketsRegion() throws Exception {
        Instant now = setClockTo(10);

        assertThat(create(node(2), "mk-0")).as("european hours: eu-west").isEqualTo("n1");
        assertThat(create(node(2), "mk-1")).isEqualTo("n1");

        JsonNode view = node(2).get("/api/cluster").json();
        assertThat(view.path("strategy").asText()).isEqualTo("market_hours");
        assertThat(view.path("activeMarket").asText()).isEqualTo("european");
        assertThat(Instant.parse(view.path("nextMarketChange").asText())).isEqualTo(now.plus(Duration.ofMinutes(330)));
        await().atMost(WAIT)
                .until(() -> state("mk-0").equals("CONNECTED") && state("mk-1").equals("CONNECTED"));
    }

    @Test
    @Order(2)
    void whenTheMarketChangesTheClientsMoveWithoutGapOrDuplicate() throws Exception {
        try (SseStream data = new SseStream(
                        node(2).uri("/api/stream?channel=" + channel("mk-0") + "&channel=" + channel("mk-1")));
                SseStream events = new SseStream(node(2).uri("/api/events?type=nova.cluster.rebalance.completed"
                        + "&type=nova.cluster.transfer.completed"))) {
            data.next(WAIT);
            setClockTo(17);

            await().atMost(Duration.ofMillis(INTERVAL_MS).plus(WAIT))
                    .until(() -> owner("mk-0").equals("n2") && owner("mk-1").equals("n2"));

            List<JsonNode> transfers = new ArrayList<>();
            JsonNode completed = null;
            while (completed == null) {
                SseStream.Event event = events.next(WAIT);
                if (event.name().equals("nova.cluster.rebalance.completed")) {
                    completed = event.json();
                } else {
                    transfers.add(event.json());
                }
            }
            assertThat(completed.path("detail").asText())
                    .startsWith("2 move(s)")
                    .contains("mk-0", "mk-1");
            assertThat(transfers).hasSize(2);
            assertThat(transfers.get(1).path("at").asLong()
                            - transfers.get(0).path("at").asLong())
                    .as("the moves are spread over the interval (%d ms, two moves), not made at once", INTERVAL_MS)
                    .isGreaterThanOrEqualTo(INTERVAL_MS / 3);
            assertThat(Sequences.assertConsecutive(data.drain(Duration.ofSeconds(2)), 40))
                    .hasSize(2);
        }
        assertThat(node(1).get("/api/cluster").json().path("activeMarket").asText())
                .isEqualTo("american");
        assertThat(create(node(1), "mk-2")).as("american hours: us-east").isEqualTo("n2");
    }

    @Test
    @Order(3)
    void withTheActiveMarketsRegionEmptyTheUsualRuleApplies() throws Exception {
        setClockTo(3);
        await().atMost(WAIT).until(() -> node(1).get("/api/cluster")
                .json()
                .path("activeMarket")
                .asText()
                .equals("asian"));

        assertThat(create(node(2), "mk-3"))
                .as("no node in ap-east: the least loaded node")
                .isEqualTo("n1");
        Thread.sleep(INTERVAL_MS + 1000);
        assertThat(owner("mk-0"))
                .as("nothing moves towards a region without nodes")
                .isEqualTo("n2");
    }

    @Test
    @Order(4)
    void aMassReconnectOfClientsOnBothNodesStaysUnderTheExchangesHandshakeLimit() throws Exception {
        for (int i = 0; i < 12; i++) {
            Http.Reply reply = node(1 + i % 2)
                    .post(
                            "/api/clients",
                            "{\"name\":\"storm-" + i + "\",\"platform\":\"binance\",\"url\":\""
                                    + simulator.binanceUrl() + "\",\"preferredRegion\":\""
                                    + (i % 2 == 0 ? "eu-west" : "us-east") + "\"}");
            assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        }
        await().atMost(WAIT).until(() -> simulator.sessionCount("binance") == 12);
        assertThat(simulator.handshakesRefused())
                .as("handshakes refused while connecting")
                .isZero();
        long accepted = simulator.connectionsAccepted();

        simulator.dropAll("binance");

        await().atMost(WAIT)
                .until(() ->
                        simulator.connectionsAccepted() >= accepted + 12 && simulator.sessionCount("binance") == 12);
        assertThat(simulator.handshakesRefused())
                .as("connection attempts of both nodes draw from one budget: none is refused")
                .isZero();
    }
}
