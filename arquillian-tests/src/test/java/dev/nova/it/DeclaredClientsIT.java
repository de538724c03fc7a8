package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.SseStream;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node configured only through the environment, started the way the README tells operators to: its declared
 * clients come up at boot with their channels; a bad value stops the start with a message naming the key.
 */
class DeclaredClientsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ExchangeSimulator simulator;

    @BeforeAll
    static void startSimulator() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(10)
                .deribitMinHeartbeatSeconds(1)
                .credentials("cfg-account", "cfg-secret-value"));
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    @Test
    void declaredClientsStartAtBootWithTheirChannels() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("NOVA_NODE_REGION", "eu-west");
        env.put("NOVA_CONNECTION_HEARTBEAT_INTERVAL", "1");
        env.put("NOVA_CLIENTS", "cfg-deribit,cfg-binance");
        // No consistency pass during the test: the clients must be started by the boot itself.
        env.put("NOVA_CLUSTER_SYNC_INTERVAL", "3600000");
        env.put("NOVA_CLIENT_CFG_DERIBIT_PLATFORM", "deribit");
        env.put("NOVA_CLIENT_CFG_DERIBIT_URL", simulator.deribitUrl());
        env.put("NOVA_CLIENT_CFG_DERIBIT_CHANNELS", "book.BTC-PERPETUAL.100ms,trades.BTC-PERPETUAL.raw");
        env.put("NOVA_CLIENT_CFG_DERIBIT_CLIENT_ID", "cfg-account");
        env.put("NOVA_CLIENT_CFG_DERIBIT_CLIENT_SECRET", "cfg-secret-value");
        env.put("NOVA_CLIENT_CFG_BINANCE_PLATFORM", "binance");
        env.put("NOVA_CLIENT_CFG_BINANCE_URL", simulator.binanceUrl());
        env.put("NOVA_CLIENT_CFG_BINANCE_CHANNELS", "btcusdt@trade");
        try (LibertyNode node = LibertyNode.start("declared", env)) {
            node.awaitStarted(WAIT);

            await().atMost(WAIT).until(() -> node.http().get("/health/ready").status() == 200);
            JsonNode clients = node.http().get("/api/clients").json();
            assertThat(clients).extracting(c -> c.path("name").asText()).containsExactly("cfg-binance", "cfg-deribit");
            JsonNode deribit = node.http().get("/api/clients/cfg-deribit").json();
            assertThat(deribit.path("state").asText()).isEqualTo("CONNECTED");
            assertThat(deribit.path("owner").asText()).isEqualTo("declared");
            assertThat(deribit.path("region").asText()).isEqualTo("eu-west");
            assertThat(deribit.path("subscriptions"))
                    .extracting(s -> s.path("channel").asText())
                    .containsExactlyInAnyOrder("book.BTC-PERPETUAL.100ms", "trades.BTC-PERPETUAL.raw");
            assertThat(deribit.path("subscriptions"))
                    .allSatisfy(
                            s -> assertThat(s.path("persistent").asBoolean()).isTrue());
            assertThat(simulator.sessions())
                    .anySatisfy(s -> assertThat(s.account()).isEqualTo("cfg-account"));
            try (SseStream stream = new SseStream(node.http().uri("/api/stream?channel=btcusdt@trade"))) {
                assertThat(stream.next(WAIT).json().path("client").asText()).isEqualTo("cfg-binance");
            }
            assertThat(node.http().get("/api/clients").text()).doesNotContain("cfg-secret-value");
            assertThat(node.log()).doesNotContain("cfg-secret-value");
            assertThat(declaredStates(node).path("cfg-deribit").asText()).isEqualTo("CONNECTED");

            // An operator deleting a declared client does not make the node unready.
            assertThat(node.http().delete("/api/clients/cfg-binance").status()).isEqualTo(204);
            assertThat(node.http().get("/health/ready").status()).isEqualTo(200);
            assertThat(declaredStates(node).path("cfg-binance").asText()).isEqualTo("DELETED");
        }
    }

    /** The data of the readiness check about declared clients: client name to state. */
    private static JsonNode declaredStates(LibertyNode node) {
        for (JsonNode check : node.http().get("/health/ready").json().path("checks")) {
            if (check.path("name").asText().equals("nova-clients")) {
                return check.path("data");
            }
        }
        throw new AssertionError("no nova-clients readiness check");
    }

    @Test
    void aBadValueStopsTheStartAndNamesTheKey() throws Exception {
        Map<String, String> env = Map.of("NOVA_CONNECTION_BACKOFF_INITIAL", "soon");
        try (LibertyNode node = LibertyNode.start("misconfigured", env)) {
            // CWWKZ0012I: the application was not started; CWWKZ0001I would mean it started.
            await().atMost(WAIT)
                    .until(() -> node.log().contains("CWWKZ0012I") || node.log().contains("CWWKZ0001I"));

            assertThat(node.log())
                    .contains("Invalid configuration nova.connection.backoff.initial: 'soon' is not a whole number")
                    .doesNotContain("CWWKZ0001I: Application nova started");
            assertThat(node.http().get("/api/clients").status()).isEqualTo(404);
        }
    }
}
