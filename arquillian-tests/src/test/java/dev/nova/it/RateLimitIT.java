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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cluster-wide rate limits on three real servers. Their clients share one Deribit account whose budget is small
 * (5 requests per second, 5 at once); the simulator enforces the same credit bucket for that account and is the
 * oracle: it answers 10028 to any request beyond it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RateLimitIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String ACCOUNT = "shared-acct";
    private static final int CHANNELS_PER_CLIENT = 8;

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(0)
                .credentials(ACCOUNT, "account-secret")
                .deribitCredits(2500, 2500, 500));
        Map<String, String> env = new HashMap<>();
        env.put("NOVA_RATELIMIT_DERIBIT_MAX_CREDITS", "2500");
        env.put("NOVA_RATELIMIT_DERIBIT_REFILL_CREDITS_PER_SECOND", "2500");
        env.put("NOVA_RATELIMIT_DERIBIT_COST", "500");
        env.put("NOVA_RATELIMIT_DERIBIT_HEARTBEAT_RESERVE", "500");
        // A budget of five requests leaves little room for jitter between Nova's clock and the exchange's.
        env.put("NOVA_RATELIMIT_SAFETY_MARGIN", "0.2");
        cluster = ThreeNodes.start(env, WAIT);
    }

    @AfterAll
    static void stopCluster() {
        Fixtures.close(simulator, cluster);
    }

    private static Http node(int number) {
        return cluster.node(number).http();
    }

    private static void createShared(int number) {
        Http.Reply reply = node(number)
                .post(
                        "/api/clients",
                        "{\"name\":\"shared-" + number + "\",\"platform\":\"deribit\",\"url\":\""
                                + simulator.deribitUrl() + "\",\"preferredRegion\":\""
                                + ThreeNodes.REGIONS.get(number - 1) + "\",\"credentials\":{\"clientId\":\"" + ACCOUNT
                                + "\",\"clientSecret\":\"account-secret\"}}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    }

    private static JsonNode budget(Http on, String scope) {
        for (JsonNode budget : on.get("/api/ratelimits").json()) {
            if (budget.path("scope").asText().equals(scope)) {
                return budget;
            }
        }
        throw new AssertionError(
                "no budget " + scope + " in " + on.get("/api/ratelimits").text());
    }

    private static long metric(Http on, String name) {
        for (String line : on.get("/metrics?scope=application").text().split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Test
    @Order(1)
    void concurrentSubscribesFromEveryNodeNeverExceedTheSharedBudgetAndAllGetThrough() {
        for (int i = 1; i <= 3; i++) {
            createShared(i);
        }
        List<String> owners = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String name = "shared-" + i;
            await().atMost(WAIT).until(() -> "CONNECTED"
                    .equals(node(1).get("/api/clients/" + name)
                            .json()
                            .path("state")
                            .asText()));
            owners.add(node(1).get("/api/clients/" + name).json().path("owner").asText());
        }
        assertThat(owners).as("one client per node").containsExactlyInAnyOrder("n1", "n2", "n3");

        List<CompletableFuture<Http.Reply>> subscribing = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            for (int j = 0; j < CHANNELS_PER_CLIENT; j++) {
                int client = i;
                String channel = "trades.RL" + i + j + "-PERPETUAL.raw";
                subscribing.add(CompletableFuture.supplyAsync(() -> node(client)
                        .post(
                                "/api/clients/shared-" + client + "/subscriptions",
                                "{\"channels\":[\"" + channel + "\"]}")));
            }
        }
        for (CompletableFuture<Http.Reply> reply : subscribing) {
            assertThat(reply.join().status()).as(reply.join().text()).isEqualTo(201);
        }

        await().atMost(WAIT).until(() -> {
            JsonNode all = node(2).get("/api/subscriptions").json();
            return StreamSupport.stream(all.spliterator(), false)
                            .filter(s -> s.path("client").asText().startsWith("shared-"))
                            .filter(s -> "ACTIVE".equals(s.path("state").asText()))
                            .count()
                    == 3 * CHANNELS_PER_CLIENT;
        });
        assertThat(simulator.rateLimited())
                .as("requests the exchange answered with 10028")
                .isZero();
        assertThat(simulator.connectionsAccepted()).as("no session was lost").isEqualTo(3);
        long delayed = cluster.all().stream()
                .mapToLong(n -> metric(n.http(), "nova_ratelimit_delayed"))
                .sum();
        assertThat(delayed)
                .as("requests that had to wait for the shared budget")
                .isPositive();
        JsonNode budget = budget(node(3), "deribit:account:" + ACCOUNT);
        assertThat(budget.path("shared").asBoolean()).isTrue();
        assertThat(budget.path("capacity").asDouble()).isEqualTo(2000.0);
        assertThat(budget.path("refillPerSecond").asDouble()).isEqualTo(2000.0);
        assertThat(budget.path("unit").asText()).isEqualTo("credits");
    }

    @Test
    @Order(2)
    void checkConsumesNothingAndUpdateDrawsFromTheBudgetEveryNodeSees() {
        Http.Reply reply =
                node(1).post("/api/ratelimits/check", "{\"operation\":\"subscribe\",\"client\":\"shared-1\"}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        JsonNode check = reply.json();
        assertThat(check.path("scope").asText()).isEqualTo("deribit:account:" + ACCOUNT);
        assertThat(check.path("cost").asDouble()).isEqualTo(500.0);
        assertThat(check.has("allowed")).isTrue();
        assertThat(check.has("retryAfterMs")).isTrue();

        // 21 updates at once from three nodes: 10,500 credits against a budget of 2,000 refilling 2,000/s.
        List<CompletableFuture<JsonNode>> sending = new ArrayList<>();
        for (int k = 0; k < 21; k++) {
            int i = k % 3 + 1;
            sending.add(CompletableFuture.supplyAsync(() -> node(i).post(
                            "/api/ratelimits/update", "{\"operation\":\"request\",\"client\":\"shared-" + i + "\"}")
                    .json()));
        }
        List<JsonNode> updates = sending.stream().map(CompletableFuture::join).toList();
        assertThat(updates)
                .anySatisfy(u -> assertThat(u.path("allowed").asBoolean()).isFalse());
        JsonNode denied = updates.stream()
                .filter(u -> !u.path("allowed").asBoolean())
                .findFirst()
                .orElseThrow();
        assertThat(denied.path("retryAfterMs").asLong()).isPositive();
        JsonNode after = node(2).post("/api/ratelimits/check", "{\"operation\":\"subscribe\",\"client\":\"shared-3\"}")
                .json();
        assertThat(after.path("allowed").asBoolean())
                .as("the debt is seen by every node")
                .isFalse();
    }

    @Test
    @Order(3)
    void killingTheNodeThatHoldsABudgetNeitherResetsNorLeaksIt() throws Exception {
        Http.Reply created = node(1).post(
                        "/api/clients",
                        "{\"name\":\"binance-budget\",\"platform\":\"binance\",\"url\":\"" + simulator.binanceUrl()
                                + "\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String scope = "binance:ip:127.0.0.1";
        JsonNode before = budget(node(1), scope);
        // 300 connections per 5 minutes, less 20 %: at most 120 at once, then 0.4 per second.
        assertThat(before.path("capacity").asDouble()).isEqualTo(120.0);
        double refill = before.path("refillPerSecond").asDouble();
        assertThat(refill).isEqualTo(0.4);

        int taken = 0;
        while (node(1).post("/api/ratelimits/update", "{\"operation\":\"connect\",\"client\":\"binance-budget\"}")
                .json()
                .path("allowed")
                .asBoolean()) {
            taken++;
            assertThat(taken).as("connect updates before the budget ran out").isLessThanOrEqualTo(121);
        }
        long drainedAt = System.currentTimeMillis();
        String holder = budget(node(1), scope).path("owner").asText();
        LibertyNode victim = cluster.named(holder);
        LibertyNode survivor =
                cluster.all().stream().filter(n -> n != victim).findFirst().orElseThrow();

        victim.kill9();
        await().atMost(WAIT).until(() -> ThreeNodes.members(survivor).size() == 2);
        JsonNode after = budget(survivor.http(), scope);
        double elapsed = (System.currentTimeMillis() - drainedAt) / 1000.0;

        assertThat(after.path("owner").asText()).isNotEqualTo(holder);
        assertThat(after.path("available").asDouble())
                .as("no more than %.1f s of refill since the budget was drained", elapsed)
                .isLessThanOrEqualTo(refill * elapsed + 1);
        assertThat(survivor.http()
                        .post("/api/ratelimits/check", "{\"operation\":\"connect\",\"client\":\"binance-budget\"}")
                        .json()
                        .path("retryAfterMs")
                        .asLong())
                .as("the survivor still waits for the refill")
                .isPositive();
        victim.restart();
        victim.awaitStarted(WAIT);
        await().atMost(WAIT).until(() -> cluster.all().stream()
                .allMatch(n -> ThreeNodes.members(n).size() == 3));
    }
}
