package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ApiUsers;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.SseStream;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Roles on the API, HTTPS and the write guard on one real node: every write of the OpenAPI document answers 401 to
 * no credentials and 403 to the reader, changing nothing; the reader reads and streams; /health stays open and
 * /metrics is the reader's, over HTTPS; a cross-site Origin, a non-JSON body and a body over 64 KiB are refused; an
 * admin's write is audited with its secrets masked; with no password set, nobody logs in and the log says which
 * variable to set.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CLIENT = "guarded";
    private static final String CLIENT_SECRET = "the-guarded-client-secret";

    private static ExchangeSimulator simulator;
    private static LibertyNode node;
    private static Http admin;

    @BeforeAll
    static void start() throws Exception {
        simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(20).credentials("guarded-account", CLIENT_SECRET));
        // The node trusts the simulator's certificate of this run, for the wss:// client below.
        node = LibertyNode.start(
                "secure",
                Map.of(
                        "NOVA_CONNECTION_TRUSTSTORE",
                        simulator.tls().truststore().toString(),
                        "NOVA_CONNECTION_TRUSTSTORE_PASSWORD",
                        simulator.tls().truststorePassword()));
        node.awaitStarted(WAIT);
        admin = node.http();
        await().atMost(WAIT).until(() -> admin.get("/health/ready").status() == 200);
        Http.Reply created = admin.post(
                "/api/clients",
                "{\"name\":\"" + CLIENT + "\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                        + "\",\"credentials\":{\"clientId\":\"guarded-account\",\"clientSecret\":\"" + CLIENT_SECRET
                        + "\"},\"channels\":[\"trades.BTC-PERPETUAL.raw\"]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        Fixtures.close(simulator, node);
    }

    /** Every operation of the OpenAPI document that is not a read, with its path parameters filled in. */
    private static List<String[]> writes() {
        JsonNode paths = admin.get("/openapi?format=JSON").json().path("paths");
        List<String[]> writes = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
                String method = methods.next().toUpperCase();
                if (!List.of("GET", "HEAD", "OPTIONS", "PARAMETERS").contains(method)) {
                    String filled = path.getKey()
                            .replace("{name}", CLIENT)
                            .replace("{id}", "any-subscription")
                            .replace("{cluster}", "any-cluster");
                    writes.add(new String[] {method, filled});
                }
            }
        }
        return writes;
    }

    private static String state() {
        return admin.get("/api/clients/" + CLIENT).json().path("subscriptions").findValuesAsText("channel")
                + " " + admin.get("/api/clients").json().findValuesAsText("name")
                + " " + admin.get("/api/subscriptions").json().findValuesAsText("id");
    }

    @Test
    @Order(1)
    void everyWriteAnswers401WithoutCredentialsAnd403ToTheReaderAndChangesNothing() {
        List<String[]> writes = writes();
        assertThat(writes)
                .extracting(w -> w[0] + " " + w[1])
                .contains("POST /api/clients", "DELETE /api/clients/" + CLIENT, "POST /api/ratelimits/update");
        String before = state();
        Http anonymous = admin.anonymous();
        Http reader = admin.as(ApiUsers.READER, ApiUsers.READER_PASSWORD);
        for (String[] write : writes) {
            String what = write[0] + " " + write[1];
            Http.Reply refused = anonymous.send(write[0], write[1], "application/json", "{}");
            assertThat(refused.status()).as(what).isEqualTo(401);
            assertThat(refused.authenticate()).as(what).startsWith("Basic");
            assertThat(refused.isProblem()).as(what).isTrue();
            Http.Reply asReader = reader.send(write[0], write[1], "application/json", "{}");
            if (write[1].equals("/api/ratelimits/check")) {
                assertThat(asReader.status()).as("a reader may check budgets").isNotIn(401, 403);
            } else {
                assertThat(asReader.status()).as(what).isEqualTo(403);
                assertThat(asReader.isProblem()).as(what).isTrue();
                assertThat(asReader.json().path("detail").asText()).as(what).contains("nova-admin");
            }
        }
        assertThat(state()).isEqualTo(before);
    }

    @Test
    @Order(2)
    void theReaderReadsAndStreamsAndNobodyElseDoes() throws Exception {
        Http reader = admin.as(ApiUsers.READER, ApiUsers.READER_PASSWORD);
        for (String read : List.of(
                "/api/clients",
                "/api/clients/" + CLIENT,
                "/api/subscriptions",
                "/api/cluster",
                "/api/ratelimits",
                "/api/me")) {
            assertThat(reader.get(read).status()).as(read).isEqualTo(200);
            assertThat(admin.anonymous().get(read).status()).as(read).isEqualTo(401);
            assertThat(admin.as(ApiUsers.READER, "not-the-password").get(read).status())
                    .as(read)
                    .isEqualTo(401);
        }
        try (SseStream stream =
                new SseStream(admin.uri("/api/stream?channel=trades.BTC-PERPETUAL.raw"), ApiUsers.reader())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.next(WAIT).json().path("client").asText()).isEqualTo(CLIENT);
        }
        try (SseStream events = new SseStream(admin.uri("/api/events"), ApiUsers.reader())) {
            assertThat(events.status()).isEqualTo(200);
        }
        try (SseStream refused = new SseStream(admin.uri("/api/events"), null)) {
            assertThat(refused.status()).isEqualTo(401);
        }
        JsonNode operations = admin.get("/openapi?format=JSON").json().path("paths");
        assertThat(operations
                        .path("/api/clients")
                        .path("post")
                        .path("x-nova-role")
                        .asText())
                .isEqualTo("nova-admin");
        assertThat(operations
                        .path("/api/clients")
                        .path("get")
                        .path("x-nova-role")
                        .asText())
                .isEqualTo("nova-reader");
    }

    @Test
    @Order(3)
    void healthIsOpenMetricsAreTheReadersOverHttps() {
        Http tls = admin.tls();
        assertThat(tls.anonymous().get("/health/ready").status()).isEqualTo(200);
        assertThat(admin.anonymous().get("/health/ready").status()).isEqualTo(200);
        assertThat(tls.anonymous().get("/metrics").status()).isEqualTo(401);
        Http.Reply metrics = tls.as(ApiUsers.READER, ApiUsers.READER_PASSWORD).get("/metrics?scope=application");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text()).contains("nova_client_messages");
        assertThat(tls.get("/api/clients/" + CLIENT).json().path("name").asText())
                .as("the API answers over HTTPS")
                .isEqualTo(CLIENT);
    }

    @Test
    @Order(4)
    void writesFromAnotherSiteOrNotJsonOrTooLargeAreRefusedAndAdminWritesAreAudited() {
        String before = state();
        String body = "{\"channels\":[\"trades.ETH-PERPETUAL.raw\"]}";
        Http.Reply crossSite = admin.send(
                "POST",
                "/api/clients/" + CLIENT + "/subscriptions",
                "application/json",
                body,
                "Origin",
                "http://attacker.example");
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.json().path("type").asText()).endsWith("origin-refused");
        Http.Reply form = admin.send("POST", "/api/clients/" + CLIENT + "/subscriptions", "text/plain", body);
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.isProblem()).isTrue();
        Http.Reply huge =
                admin.send("POST", "/api/clients", "application/json", "{\"name\":\"" + "x".repeat(70 * 1024) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.isProblem()).isTrue();
        assertThat(state()).isEqualTo(before);

        String own = admin.base();
        Http.Reply sameSite = admin.send(
                "POST", "/api/clients/" + CLIENT + "/subscriptions", "application/json", body, "Origin", own);
        assertThat(sameSite.status()).as(sameSite.text()).isIn(200, 201, 202);
        await().atMost(WAIT).until(() -> node.log()
                .contains("NOVA-4010 audit: admin POST /api/clients/" + CLIENT + "/subscriptions"));
        assertThat(node.log())
                .contains("NOVA-4010 audit: admin POST /api/clients {")
                .contains("\"clientSecret\":\"****\"")
                .doesNotContain(CLIENT_SECRET);
    }

    @Test
    @Order(5)
    void credentialsTravelOverWssWithARealTlsSessionAndNeverInClearToAnotherHost() throws Exception {
        Http.Reply clear = admin.post(
                "/api/clients",
                "{\"name\":\"in-clear\",\"platform\":\"deribit\",\"url\":\"ws://exchange.example/ws/api/v2\","
                        + "\"credentials\":{\"clientId\":\"guarded-account\",\"clientSecret\":\"" + CLIENT_SECRET
                        + "\"},\"channels\":[\"trades.BTC-PERPETUAL.raw\"]}");
        assertThat(clear.status()).isEqualTo(400);
        assertThat(clear.json().path("detail").asText())
                .contains("credentials travel only over wss://")
                .doesNotContain(CLIENT_SECRET);
        assertThat(admin.get("/api/clients/in-clear").status()).isEqualTo(404);

        String wss = simulator.deribitWssUrl();
        Http.Reply created = admin.post(
                "/api/clients",
                "{\"name\":\"over-tls\",\"platform\":\"deribit\",\"url\":\"" + wss + "\","
                        + "\"credentials\":{\"clientId\":\"guarded-account\",\"clientSecret\":\"" + CLIENT_SECRET
                        + "\"},\"channels\":[\"trades.ETH-PERPETUAL.raw\"]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        await().atMost(WAIT).until(() -> admin.get("/api/clients/over-tls")
                .json()
                .path("state")
                .asText()
                .equals("CONNECTED"));
        try (SseStream stream =
                new SseStream(admin.uri("/api/stream?channel=trades.ETH-PERPETUAL.raw&client=over-tls"))) {
            assertThat(stream.next(WAIT).json().path("client").asText()).isEqualTo("over-tls");
        }
        assertThat(simulator.sessions())
                .as("the simulator saw the account log in through its TLS listener")
                .anyMatch(session -> "guarded-account".equals(session.account())
                        && session.channels().contains("trades.ETH-PERPETUAL.raw"));

        // An exchange whose certificate the truststore does not vouch for never gets a session, nor the secret.
        try (ExchangeSimulator stranger =
                ExchangeSimulator.start(SimulatorOptions.defaults().credentials("guarded-account", CLIENT_SECRET))) {
            Http.Reply untrusted = admin.post(
                    "/api/clients",
                    "{\"name\":\"untrusted-tls\",\"platform\":\"deribit\",\"url\":\"" + stranger.deribitWssUrl()
                            + "\",\"credentials\":{\"clientId\":\"guarded-account\",\"clientSecret\":\""
                            + CLIENT_SECRET + "\"},\"channels\":[\"trades.ETH-PERPETUAL.raw\"]}");
            assertThat(untrusted.status()).as(untrusted.text()).isEqualTo(201);
            await().during(Duration.ofSeconds(5))
                    .atMost(WAIT)
                    .until(() -> !admin.get("/api/clients/untrusted-tls")
                                    .json()
                                    .path("state")
                                    .asText()
                                    .equals("CONNECTED")
                            && stranger.sessions().isEmpty());
            assertThat(stranger.connectionsAccepted()).isZero();
            assertThat(admin.delete("/api/clients/untrusted-tls").status()).isEqualTo(204);
        }
    }

    @Test
    @Order(6)
    void withNoPasswordSetNobodyLogsInAndTheLogSaysWhichVariable() throws Exception {
        node.close();
        node.restart(Map.of("NOVA_ADMIN_PASSWORD", "", "NOVA_READER_PASSWORD", ""));
        node.awaitStarted(WAIT);
        await().atMost(WAIT).until(() -> admin.get("/health/ready").status() == 200);
        assertThat(admin.get("/api/clients").status()).isEqualTo(401);
        assertThat(admin.as(ApiUsers.ADMIN, "").get("/api/clients").status()).isEqualTo(401);
        assertThat(admin.as(ApiUsers.READER, "").get("/api/clients").status()).isEqualTo(401);
        assertThat(node.log())
                .contains("NOVA-4001 NOVA_ADMIN_PASSWORD is not set")
                .contains("NOVA-4001 NOVA_READER_PASSWORD is not set");
    }
}
