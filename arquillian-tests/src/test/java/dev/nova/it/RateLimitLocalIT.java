package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;

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

/** {@code nova.cluster.distributed-rate-limits=false}: two clustered nodes, each with budgets of its own. */
class RateLimitLocalIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(0).credentials("acct-l", "s"));
        cluster = ThreeNodes.start(
                2,
                Map.of(
                        "NOVA_CLUSTER_DISTRIBUTED_RATE_LIMITS", "false",
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
}
