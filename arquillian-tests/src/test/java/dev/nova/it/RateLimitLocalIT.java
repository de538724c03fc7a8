package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.ThreeNodes;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code nova.cluster.distributed-rate-limits=false} and {@code nova.cluster.components.reconnection=false}: two
 * clustered nodes, each with budgets of its own, connection attempts included.
 */
class RateLimitLocalIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(0)
                .credentials("acct-l", "s")
                .connectionLimit(8, Duration.ofSeconds(2)));
        cluster = ThreeNodes.start(
                2,
                Map.of(
                        "NOVA_CLUSTER_DISTRIBUTED_RATE_LIMITS", "false",
                        "NOVA_CLUSTER_COMPONENTS_RECONNECTION", "false",
                        "NOVA_RATELIMIT_BINANCE_CONNECTIONS_PER_WINDOW", "8",
                        "NOVA_RATELIMIT_BINANCE_CONNECTION_WINDOW", "2000",
                        "NOVA_RATELIMIT_DERIBIT_REFILL_CREDITS_PER_SECOND", "1"),
                WAIT);
    }

    @AfterAll
    static void stopCluster() {
        Fixtures.close(simulator, cluster);
    }

    @Test
    void everyNodeDrawsFromItsOwnBudget() {
        Http n1 = cluster.node(1).http();
        Http n2 = cluster.node(2).http();
        Http.Reply created = n1.post(
                "/api/clients",
                "{\"name\":\"local-acct\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                        + "\",\"credentials\":{\"clientId\":\"acct-l\",\"clientSecret\":\"s\"}}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String body = "{\"operation\":\"request\",\"client\":\"local-acct\"}";

        int taken = 0;
        while (n1.post("/api/ratelimits/update", body).json().path("allowed").asBoolean()) {
            taken++;
            assertThat(taken).isLessThan(200);
        }
        JsonNode onN1 = n1.post("/api/ratelimits/check", body).json();
        JsonNode onN2 = n2.post("/api/ratelimits/check", body).json();

        assertThat(taken)
                .as("requests of 500 credits in 45,000, less what the client's own session took")
                .isBetween(85, 90);
        assertThat(onN1.path("allowed").asBoolean()).isFalse();
        assertThat(onN2.path("allowed").asBoolean())
                .as("n2's budget is its own")
                .isTrue();
        for (JsonNode budget : n2.get("/api/ratelimits").json()) {
            assertThat(budget.path("shared").asBoolean()).as(budget.toString()).isFalse();
        }
    }

    /**
     * Each node paces its own connection attempts under the whole limit: together they may go over it (MarketHoursIT
     * shows the cluster-wide budget staying under it).
     */
    @Test
    void withNodeLocalReconnectsAMassReconnectMayExceedTheExchangesHandshakeLimit() {
        for (int i = 0; i < 12; i++) {
            Http.Reply reply = cluster.node(1 + i % 2)
                    .http()
                    .post(
                            "/api/clients",
                            "{\"name\":\"storm-" + i + "\",\"platform\":\"binance\",\"url\":\""
                                    + simulator.binanceUrl() + "\",\"preferredRegion\":\""
                                    + ThreeNodes.REGIONS.get(i % 2) + "\"}");
            assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        }
        await().atMost(WAIT).until(() -> simulator.sessionCount("binance") == 12);
        long refusedBefore = simulator.handshakesRefused();

        simulator.dropAll("binance");

        await().atMost(WAIT).until(() -> simulator.handshakesRefused() > refusedBefore);
        for (JsonNode budget : cluster.node(1).http().get("/api/ratelimits").json()) {
            if (budget.path("scope").asText().startsWith("binance:ip:")) {
                assertThat(budget.path("shared").asBoolean())
                        .as(budget.toString())
                        .isFalse();
            }
        }
    }
}
