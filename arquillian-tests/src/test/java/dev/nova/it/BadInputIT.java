package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.Deployments;
import dev.nova.it.support.Http;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every kind of bad input gets a 4xx {@code application/problem+json} that says what is wrong, and changes
 * nothing: the clients and subscriptions read before and after each rejected request are the same.
 */
@ExtendWith(ArquillianExtension.class)
class BadInputIT {

    private static ExchangeSimulator simulator;

    @ArquillianResource
    private URL base;

    private Http api;
    private String before;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.novaWithProbe();
    }

    @BeforeAll
    static void startSimulator() throws Exception {
        simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(0).deribitMinHeartbeatSeconds(1));
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    @BeforeEach
    void existingClient() {
        api = Http.arquillian(base.toString());
        if (api.get("/api/clients/existing").status() == 404) {
            Http.Reply created = api.post(
                    "/api/clients",
                    "{\"name\":\"existing\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                            + "\",\"channels\":[\"book.BTC-PERPETUAL.100ms\"]}");
            assertThat(created.status()).isEqualTo(201);
        }
        before = snapshot();
    }

    @AfterEach
    void nothingChanged() {
        assertThat(snapshot()).isEqualTo(before);
    }

    /** What must not change: clients (without live counters) and subscriptions. */
    private String snapshot() {
        StringBuilder state = new StringBuilder();
        for (JsonNode client : api.get("/api/clients").json()) {
            state.append(client.path("name").asText())
                    .append('|')
                    .append(client.path("url").asText())
                    .append('|')
                    .append(client.path("platform").asText())
                    .append('|')
                    .append(client.path("epoch").asLong())
                    .append('\n');
        }
        for (JsonNode subscription : api.get("/api/subscriptions").json()) {
            state.append(subscription.path("id").asText())
                    .append('|')
                    .append(subscription.path("channel").asText())
                    .append('\n');
        }
        return state.toString();
    }

    private static void assertProblem(Http.Reply reply, int status, String detailFragment) {
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.isProblem()).as("content type %s", reply.contentType()).isTrue();
        JsonNode problem = reply.json();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("detail").asText()).containsIgnoringCase(detailFragment);
        assertThat(problem.path("instance").asText()).startsWith("urn:uuid:");
        assertThat(reply.text()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void malformedJsonIsRejected() {
        assertProblem(api.post("/api/clients", "{\"name\": \"x\", "), 400, "not valid JSON");
        assertProblem(api.post("/api/clients/existing/subscriptions", "[1,2"), 400, "not valid JSON");
    }

    @Test
    void wrongShapeIsRejected() {
        assertProblem(
                api.post("/api/clients", "{\"name\":\"x\",\"platform\":\"deribit\",\"channels\":\"abc\"}"),
                400,
                "not valid JSON");
    }

    @Test
    void aMisspeltFieldIsRejectedByName() {
        assertProblem(
                api.post("/api/clients", "{\"name\":\"typo\",\"platform\":\"deribit\",\"chanels\":[\"x\"]}"),
                400,
                "unknown field 'chanels'");
    }

    @Test
    void missingOrInvalidNameIsRejected() {
        assertProblem(api.post("/api/clients", "{\"platform\":\"deribit\"}"), 400, "name is required");
        assertProblem(
                api.post("/api/clients", "{\"name\":\"no spaces\",\"platform\":\"deribit\"}"),
                400,
                "name 'no spaces' is invalid");
        assertProblem(
                api.post("/api/clients", "{\"name\":\"" + "x".repeat(65) + "\",\"platform\":\"deribit\"}"),
                400,
                "is invalid");
    }

    @Test
    void unknownPlatformIsRejected() {
        assertProblem(
                api.post("/api/clients", "{\"name\":\"k1\",\"platform\":\"kraken\"}"),
                400,
                "platform 'kraken' is unknown");
        assertProblem(api.post("/api/clients", "{\"name\":\"k1\"}"), 400, "platform is required");
    }

    @Test
    void badUrlIsRejected() {
        assertProblem(
                api.post("/api/clients", "{\"name\":\"u1\",\"platform\":\"binance\",\"url\":\"ws://h/ws\"}"),
                400,
                "/stream");
        assertProblem(
                api.post("/api/clients", "{\"name\":\"u1\",\"platform\":\"deribit\",\"url\":\"http://h/x\"}"),
                400,
                "ws://");
    }

    @Test
    void duplicateClientIsAConflict() {
        assertProblem(
                api.post("/api/clients", "{\"name\":\"existing\",\"platform\":\"binance\"}"), 409, "already exists");
        assertProblem(
                api.post(
                        "/api/clients",
                        "{\"name\":\"existing\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                                + "\",\"channels\":[\"book.ETH-PERPETUAL.100ms\"]}"),
                409,
                "without the channels [book.ETH-PERPETUAL.100ms]");
    }

    @Test
    void aRetriedCreateWithTheSameBodyFindsTheClient() {
        Http.Reply retried = api.post(
                "/api/clients",
                "{\"name\":\"existing\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                        + "\",\"channels\":[\"book.BTC-PERPETUAL.100ms\"]}");

        assertThat(retried.status()).as(retried.text()).isEqualTo(200);
        assertThat(retried.json().path("name").asText()).isEqualTo("existing");
        assertThat(retried.json().path("subscriptions").findValuesAsText("channel"))
                .contains("book.BTC-PERPETUAL.100ms");
    }

    @Test
    void badChannelListsAreRejected() {
        assertProblem(api.post("/api/clients/existing/subscriptions", "{\"channels\":[]}"), 400, "non-empty");
        assertProblem(api.post("/api/clients/existing/subscriptions", "{}"), 400, "non-empty");
        assertProblem(
                api.post("/api/clients/existing/subscriptions", "{\"channels\":[\"btcusdt@trade\"]}"),
                400,
                "not a Deribit channel");
        assertProblem(
                api.post(
                        "/api/clients/existing/subscriptions",
                        "{\"channels\":[\"book.BTC-PERPETUAL.100ms\",\"book.eth.1s\"]}"),
                400,
                "book.eth.1s");
        assertProblem(
                api.post("/api/clients", "{\"name\":\"c9\",\"platform\":\"deribit\",\"channels\":[\"nope\"]}"),
                400,
                "not a Deribit channel");
        assertProblem(
                api.post(
                        "/api/clients/existing/subscriptions",
                        "{\"channels\":[\"book.BTC-PERPETUAL.100ms\",\"trades.BTC-PERPETUAL.raw\"],\"id\":\"two\"}"),
                400,
                "single channel");
    }

    @Test
    void duplicateSubscriptionIdIsAConflict() {
        String id = api.get("/api/subscriptions?client=existing")
                .json()
                .get(0)
                .path("id")
                .asText();

        assertProblem(
                api.post(
                        "/api/clients/existing/subscriptions",
                        "{\"channels\":[\"trades.BTC-PERPETUAL.raw\"],\"id\":\"" + id + "\"}"),
                409,
                "already exists");
    }

    @Test
    void unknownClientsAndSubscriptionsAreNotFound() {
        assertProblem(api.get("/api/clients/ghost"), 404, "client 'ghost' does not exist");
        assertProblem(api.delete("/api/clients/ghost"), 404, "does not exist");
        assertProblem(api.post("/api/clients/ghost/restart", "{}"), 404, "does not exist");
        assertProblem(
                api.post("/api/clients/ghost/subscriptions", "{\"channels\":[\"book.BTC-PERPETUAL.100ms\"]}"),
                404,
                "does not exist");
        assertProblem(api.delete("/api/clients/existing/subscriptions/ghost"), 404, "no subscription 'ghost'");
    }

    @Test
    void restartingARunningClientIsAConflict() {
        assertProblem(api.post("/api/clients/existing/restart", "{}"), 409, "only FAILED or STOPPED");
    }

    @Test
    void streamNeedsAValidChannel() {
        assertProblem(api.get("/api/stream"), 400, "at least one channel");
        assertProblem(api.get("/api/stream?channel=definitely-not"), 400, "not a channel");
    }

    @Test
    void streamOfAnUnknownClientIsNotFound() {
        assertProblem(
                api.get("/api/stream?channel=book.BTC-PERPETUAL.100ms&client=ghost"),
                404,
                "client 'ghost' does not exist");
    }

    @Test
    void stoppingAnUnknownClientIsNotFound() {
        assertProblem(api.post("/api/clients/ghost/stop", "{}"), 404, "does not exist");
    }

    @Test
    void wrongMediaTypeMethodAndPathAreProblemsInNovasWords() {
        assertProblem(api.post("/api/clients", "text/plain", "hello"), 415, "Content-Type: application/json");
        assertProblem(api.get("/api/nothing-here"), 404, "no resource at /api/nothing-here");
        Http.Reply notAllowed = api.get("/api/clients/existing/subscriptions");
        assertProblem(notAllowed, 405, "GET is not allowed on /api/clients/existing/subscriptions");
        assertThat(notAllowed.allow()).isEqualTo("POST");
    }

    @Test
    void badRateLimitRequestsAreRejected() {
        assertProblem(api.post("/api/ratelimits/update", "{\"operation\":"), 400, "not valid JSON");
        assertProblem(api.post("/api/ratelimits/update", "{}"), 400, "operation is required");
        assertProblem(
                api.post("/api/ratelimits/update", "{\"operation\":\"fly\",\"client\":\"existing\"}"),
                400,
                "operation 'fly' is unknown: one of connect, auth, subscribe, unsubscribe, heartbeat, request");
        assertProblem(api.post("/api/ratelimits/update", "{\"operation\":\"subscribe\"}"), 400, "client is required");
        assertProblem(
                api.post("/api/ratelimits/update", "{\"operation\":\"subscribe\",\"client\":\"ghost\"}"),
                404,
                "does not exist");
        assertProblem(
                api.post("/api/ratelimits/check", "{\"operation\":\"subscribe\",\"client\":\"existing\",\"cost\":1}"),
                400,
                "unknown field 'cost'");
        assertProblem(
                api.post(
                        "/api/ratelimits/update",
                        "{\"operation\":\"request\",\"client\":\"existing\",\"method\":\" \"}"),
                400,
                "method must not be blank");
        assertProblem(api.post("/api/ratelimits/check", "text/plain", "subscribe"), 415, "application/json");
    }

    @Test
    void aSyncLagSampleCountThatIsNotANumberIsABadRequestNotAMissingResource() {
        assertProblem(api.post("/api/cluster/sync-lag?samples=abc", "{}"), 400, "between 1 and 10000, not 'abc'");
        assertProblem(api.post("/api/cluster/sync-lag?samples=0", "{}"), 400, "between 1 and 10000, not '0'");
    }
}
