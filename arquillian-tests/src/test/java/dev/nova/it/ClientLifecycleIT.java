package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ApiUsers;
import dev.nova.it.support.Deployments;
import dev.nova.it.support.Http;
import dev.nova.it.support.SseStream;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Nova node on a real Liberty server, its clients connected over loopback to the exchange simulator in this
 * JVM: create, subscribe, stream over SSE, survive disconnects and silent feeds, delete.
 */
@ExtendWith(ArquillianExtension.class)
class ClientLifecycleIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TRADES = "trades.BTC-PERPETUAL.raw";
    private static final String BOOK = "book.BTC-PERPETUAL.100ms";

    private static ExchangeSimulator simulator;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.novaWithProbe();
    }

    @BeforeAll
    static void startSimulator() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(20)
                .deribitMinHeartbeatSeconds(1)
                .credentials("it-account", "it-secret"));
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    private Http api() {
        return Http.arquillian(base.toString());
    }

    private JsonNode createDeribit(String name, String... channels) {
        StringBuilder list = new StringBuilder();
        for (String channel : channels) {
            list.append(list.length() == 0 ? "" : ",")
                    .append('"')
                    .append(channel)
                    .append('"');
        }
        Http.Reply reply = api().post(
                        "/api/clients",
                        "{\"name\":\"" + name + "\",\"platform\":\"deribit\",\"url\":\""
                                + simulator.deribitUrl()
                                + "\",\"credentials\":{\"clientId\":\"it-account\",\"clientSecret\":"
                                + "\"it-secret\"},\"channels\":[" + list + "]}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        return reply.json();
    }

    private String state(String name) {
        return api().get("/api/clients/" + name).json().path("state").asText();
    }

    private List<ExchangeSimulator.SessionInfo> sessionsWith(String channel) {
        return simulator.sessions().stream()
                .filter(s -> s.channels().contains(channel))
                .toList();
    }

    @Test
    void createdClientConnectsAuthenticatesAndStreamsOverSse() throws Exception {
        JsonNode created = createDeribit("sse-client", TRADES);
        assertThat(created.path("owner").asText()).isEqualTo("it");
        assertThat(created.path("credentials").path("clientId").asText()).isEqualTo("it-account");
        assertThat(created.toString()).doesNotContain("it-secret");

        await().atMost(WAIT).until(() -> state("sse-client").equals("CONNECTED"));
        try (SseStream stream = new SseStream(api().uri("/api/stream?channel=" + TRADES + "&client=sse-client"))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            List<SseStream.Event> events = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                events.add(stream.next(WAIT));
            }
            SseStream.Event first = events.get(0);
            JsonNode data = first.json();
            assertThat(first.name()).isEqualTo("message");
            assertThat(first.id()).isEqualTo(data.path("sequence").asText());
            assertThat(data.path("channel").asText()).isEqualTo(TRADES);
            assertThat(data.path("client").asText()).isEqualTo("sse-client");
            assertThat(data.path("gap").asBoolean()).isFalse();
            assertThat(data.path("receivedAt").asLong()).isPositive();
            assertThat(data.path("data").get(0).path("trade_seq").asLong())
                    .isEqualTo(data.path("sequence").asLong());
            assertThat(events)
                    .extracting(e -> Long.parseLong(e.id()))
                    .isSorted()
                    .doesNotHaveDuplicates();
        }
        JsonNode client = api().get("/api/clients/sse-client").json();
        assertThat(client.path("messagesReceived").asLong()).isPositive();
        assertThat(client.path("subscriptions").get(0).path("state").asText()).isEqualTo("ACTIVE");
        assertThat(sessionsWith(TRADES)).anySatisfy(s -> assertThat(s.account()).isEqualTo("it-account"));
    }

    @Test
    void consumersThatStopReadingDoNotHoldUpTheOthers() throws Exception {
        String channel = "trades.ETH-PERPETUAL.raw";
        createDeribit("stuck-consumers", channel);
        await().atMost(WAIT).until(() -> state("stuck-consumers").equals("CONNECTED"));
        URI stream = api().uri("/api/stream?channel=" + channel);
        long droppedBefore = consumersDroppedAsTooSlow();
        List<Socket> stuck = new ArrayList<>();
        try (SseStream healthy = new SseStream(stream)) {
            // More consumers that never read than Nova has delivery threads to begin with (at least four).
            for (int i = 0; i < 16; i++) {
                stuck.add(openWithoutReading(stream));
            }
            // Each round is more than a stuck consumer's socket buffers take: from the first rounds on, writes to them
            // wait for a socket that never drains, and they fall behind until Nova drops them. The consumer that
            // reads must get every message all along, in sequence.
            long previous = -1;
            for (int round = 0; round < 8; round++) {
                simulator.blast(channel, 2_000);
                for (int i = 0; i < 2_000; i++) {
                    SseStream.Event event = healthy.next(WAIT);
                    while (!event.name().equals("message")) {
                        assertThat(event.name()).as("round %d", round).isNotEqualTo("dropped");
                        event = healthy.next(WAIT);
                    }
                    long sequence = Long.parseLong(event.id());
                    assertThat(previous < 0 || sequence == previous + 1)
                            .as("round %d: sequence %d after %d", round, sequence, previous)
                            .isTrue();
                    assertThat(event.json().path("gap").asBoolean()).isFalse();
                    previous = sequence;
                }
            }
            // The test's premise: the others did fall behind and were dropped for it.
            await().atMost(WAIT).until(() -> consumersDroppedAsTooSlow() - droppedBefore >= 16);
        } finally {
            for (Socket socket : stuck) {
                socket.close();
            }
        }
    }

    /** Streams the node dropped because they fell behind or their write blocked (its metrics). */
    private long consumersDroppedAsTooSlow() {
        String metrics = Http.arquillian(base.toString())
                .get("/metrics?scope=application")
                .text();
        Matcher dropped = Pattern.compile(
                        "(?m)^nova_stream_consumers_dropped\\{[^}]*reason=\"(buffer-full|send-timeout|lagging)\"[^}]*\\} ([0-9.E]+)$")
                .matcher(metrics);
        long total = 0;
        while (dropped.find()) {
            total += (long) Double.parseDouble(dropped.group(2));
        }
        return total;
    }

    /** An SSE request whose response is never read, over a socket that takes little before it is full. */
    private static Socket openWithoutReading(URI uri) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
        socket.getOutputStream()
                .write(("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost()
                                + "\r\nAuthorization: " + ApiUsers.reader() + "\r\nAccept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    @Test
    void marketMessagesAreFiredAsCdiEvents() {
        createDeribit("cdi-client", "ticker.ETH-PERPETUAL.100ms");

        await().atMost(WAIT)
                .until(() -> api().get("/api/test/events?channel=ticker.ETH-PERPETUAL.100ms")
                                .json()
                                .path("count")
                                .asLong()
                        >= 3);
    }

    @Test
    void binanceClientStreamsCombinedStreams() throws Exception {
        Http.Reply reply = api().post(
                        "/api/clients",
                        "{\"name\":\"binance-client\",\"platform\":\"binance\"," + "\"url\":\"" + simulator.binanceUrl()
                                + "\",\"channels\":[\"btcusdt@trade\",\"btcusdt@depth@100ms\"]}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);

        try (SseStream stream = new SseStream(api().uri("/api/stream?channel=btcusdt@depth@100ms"))) {
            JsonNode first = stream.next(WAIT).json();
            JsonNode second = stream.next(WAIT).json();
            assertThat(first.path("data").path("e").asText()).isEqualTo("depthUpdate");
            assertThat(second.path("data").path("U").asLong())
                    .isEqualTo(first.path("data").path("u").asLong() + 1);
            assertThat(second.path("gap").asBoolean()).isFalse();
        }
        await().atMost(WAIT).until(() -> state("binance-client").equals("CONNECTED"));
    }

    @Test
    void aDroppedConnectionIsResubscribedOnExactlyOneSession() {
        createDeribit("drop-client", BOOK);
        await().atMost(WAIT)
                .until(() -> state("drop-client").equals("CONNECTED")
                        && sessionsWith(BOOK).size() == 1);
        long requestsBefore = simulator.subscribeRequests(BOOK);

        simulator.dropAll("deribit");

        await().atMost(WAIT)
                .until(() -> api().get("/api/clients/drop-client")
                                        .json()
                                        .path("reconnects")
                                        .asLong()
                                >= 1
                        && state("drop-client").equals("CONNECTED"));
        await().atMost(WAIT).until(() -> sessionsWith(BOOK).size() == 1);
        assertThat(simulator.subscribeRequests(BOOK)).isGreaterThan(requestsBefore);
        assertThat(sessionsWith(BOOK)).singleElement().satisfies(s -> assertThat(s.channels())
                .containsExactly(BOOK));
        JsonNode client = api().get("/api/clients/drop-client").json();
        assertThat(client.path("subscriptions")).hasSize(1);
        assertThat(client.path("sessions").asInt()).isEqualTo(1);
    }

    @Test
    void aSilentExchangeIsDetectedAndReconnected() {
        String channel = "ticker.BTC-PERPETUAL.100ms";
        createDeribit("silent-client", channel);
        await().atMost(WAIT).until(() -> state("silent-client").equals("CONNECTED"));

        // Frozen: the TCP connection stays open, but nothing arrives and nothing is answered.
        simulator.freezeAll(true);
        try {
            await().atMost(WAIT)
                    .until(() -> api().get("/api/clients/silent-client")
                                    .json()
                                    .path("reconnects")
                                    .asLong()
                            >= 1);
        } finally {
            simulator.freezeAll(false);
        }

        await().atMost(WAIT)
                .until(() -> state("silent-client").equals("CONNECTED")
                        && sessionsWith(channel).size() == 1);
        assertThat(api().get("/api/clients/silent-client")
                        .json()
                        .path("lastError")
                        .asText())
                .startsWith("stale feed");
    }

    @Test
    void unsubscribingTheLastSubscriptionUnsubscribesTheExchange() {
        String channel = "trades.ETH-PERPETUAL.raw";
        createDeribit("unsub-client");
        Http.Reply first = api().post(
                        "/api/clients/unsub-client/subscriptions",
                        "{\"channels\":[\"" + channel + "\"],\"id\":\"mine-1\"}");
        Http.Reply second = api().post(
                        "/api/clients/unsub-client/subscriptions",
                        "{\"channels\":[\"" + channel + "\"],\"persistent\":false}");
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().path("subscriptions").get(0).path("id").asText())
                .isEqualTo("mine-1");
        assertThat(second.json().path("subscriptions").get(0).path("persistent").asBoolean())
                .isFalse();
        await().atMost(WAIT).until(() -> sessionsWith(channel).size() == 1);

        assertThat(api().delete("/api/clients/unsub-client/subscriptions/mine-1")
                        .status())
                .isEqualTo(204);
        assertThat(sessionsWith(channel)).hasSize(1);
        String secondId = second.json().path("subscriptions").get(0).path("id").asText();
        assertThat(api().delete("/api/clients/unsub-client/subscriptions/" + secondId)
                        .status())
                .isEqualTo(204);

        await().atMost(WAIT).until(() -> sessionsWith(channel).isEmpty());
        assertThat(api().get("/api/subscriptions?client=unsub-client").json()).isEmpty();
    }

    @Test
    void aStoppedClientClosesItsSessionAndRestartsResubscribed() {
        String channel = "trades.SOL-PERPETUAL.raw";
        createDeribit("stop-client", channel);
        await().atMost(WAIT)
                .until(() -> state("stop-client").equals("CONNECTED")
                        && sessionsWith(channel).size() == 1);

        Http.Reply stopped = api().post("/api/clients/stop-client/stop", "{}");

        assertThat(stopped.status()).isEqualTo(200);
        assertThat(stopped.json().path("state").asText()).isEqualTo("STOPPED");
        await().atMost(WAIT).until(() -> sessionsWith(channel).isEmpty());
        assertThat(api().get("/api/subscriptions?client=stop-client").json()).hasSize(1);

        assertThat(api().post("/api/clients/stop-client/restart", "{}").status())
                .isEqualTo(200);
        await().atMost(WAIT)
                .until(() -> state("stop-client").equals("CONNECTED")
                        && sessionsWith(channel).size() == 1);
    }

    @Test
    void deletingAClientClosesItsSession() {
        String channel = "book.ETH-PERPETUAL.100ms";
        createDeribit("doomed-client", channel);
        await().atMost(WAIT).until(() -> sessionsWith(channel).size() == 1);

        assertThat(api().delete("/api/clients/doomed-client").status()).isEqualTo(204);

        await().atMost(WAIT).until(() -> sessionsWith(channel).isEmpty());
        assertThat(api().get("/api/clients/doomed-client").status()).isEqualTo(404);
        assertThat(api().get("/api/subscriptions?client=doomed-client").json()).isEmpty();
    }

    @Test
    void subscriptionsAreListedWithOwnerAndState() {
        createDeribit("listed-client", "book.SOL-PERPETUAL.100ms");

        await().atMost(WAIT).until(() -> "ACTIVE"
                .equals(api().get("/api/subscriptions?channel=book.SOL-PERPETUAL.100ms")
                        .json()
                        .path(0)
                        .path("state")
                        .asText()));
        JsonNode listed = api().get("/api/subscriptions?channel=book.SOL-PERPETUAL.100ms")
                .json()
                .get(0);
        assertThat(listed.path("client").asText()).isEqualTo("listed-client");
        assertThat(listed.path("owner").asText()).isEqualTo("it");
        assertThat(listed.path("persistent").asBoolean()).isTrue();
    }

    @Test
    void healthOpenApiAndMetricsAreServed() {
        createDeribit("metrics-client", "book.XRP-PERPETUAL.100ms");
        Http root = Http.arquillian(base.toString());
        assertThat(root.get("/health/live").status()).isEqualTo(200);
        assertThat(root.get("/health/ready").json().path("status").asText()).isEqualTo("UP");
        assertThat(root.get("/health/started").status()).isEqualTo(200);
        String openapi = root.get("/openapi").text();
        assertThat(openapi).contains("/api/clients/{name}/subscriptions", "/api/stream", "/api/subscriptions");
        assertThat(root.get("/metrics?scope=application").text())
                .contains("nova_client_messages{client=\"metrics-client\"")
                .contains("nova_stream_consumers");
    }
}
