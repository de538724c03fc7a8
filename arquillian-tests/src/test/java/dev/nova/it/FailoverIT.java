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
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failover on three real servers (regions eu-west, us-east, ap-east; Deribit's primary region us-east, failover
 * region ap-east) with the simulator as the oracle of what happens at the exchange: one session per client, always.
 */
class FailoverIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(20).deribitMinHeartbeatSeconds(1));
        Map<String, String> env = Fixtures.fastSessions();
        env.put("NOVA_EXCHANGES_DERIBIT_PRIMARY_REGION", "us-east");
        env.put("NOVA_EXCHANGES_DERIBIT_FAILOVER_REGIONS", "ap-east");
        env.put("NOVA_FAILOVER_TRANSFER_TIMEOUT", "6000");
        cluster = ThreeNodes.start(env, WAIT);
    }

    @AfterAll
    static void stopCluster() {
        Fixtures.close(simulator, cluster);
    }

    private static Http node(int number) {
        return cluster.node(number).http();
    }

    private static JsonNode create(String name, String... channels) {
        return createOn(name, "deribit", simulator.deribitUrl(), channels);
    }

    private static JsonNode createOn(String name, String platform, String url, String... channels) {
        Http.Reply reply = node(1).post(
                        "/api/clients",
                        "{\"name\":\"" + name + "\",\"platform\":\"" + platform + "\",\"url\":\"" + url
                                + "\",\"channels\":" + Http.JSON.valueToTree(List.of(channels)) + "}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        return reply.json();
    }

    private static JsonNode client(String name) {
        return node(1).get("/api/clients/" + name).json();
    }

    private static JsonNode clientSeenBy(LibertyNode node, String name) {
        return node.http().get("/api/clients/" + name).json();
    }

    private static int sessionsWith(String channel) {
        return simulator.subscribers(channel);
    }

    /** The exchange's one session subscribed to a channel. */
    private static int sessionIdWith(String channel) {
        return simulator.sessions().stream()
                .filter(s -> s.channels().contains(channel))
                .map(ExchangeSimulator.SessionInfo::id)
                .reduce((a, b) -> {
                    throw new AssertionError("two sessions hold " + channel);
                })
                .orElseThrow();
    }

    /**
     * Waits for events of each named type about the client, in whatever order they come: events published on
     * different nodes (or threads) reach a stream in no guaranteed order.
     */
    private static Map<String, JsonNode> awaitEvents(SseStream events, String client, String... types)
            throws InterruptedException {
        Map<String, JsonNode> seen = new HashMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (seen.size() < types.length && System.nanoTime() < deadline) {
            SseStream.Event event = events.next(WAIT);
            if (List.of(types).contains(event.name())
                    && client.equals(event.json().path("client").asText())) {
                seen.putIfAbsent(event.name(), event.json());
            }
        }
        assertThat(seen.keySet()).as("events about %s", client).containsExactlyInAnyOrder(types);
        return seen;
    }

    @Test
    void killingTheOwnerMovesTheClientToTheFailoverRegionWithItsPersistentSubscriptionsOnly() throws Exception {
        String persistent = "trades.ETH-PERPETUAL.raw";
        String transient_ = "ticker.SOL-PERPETUAL.100ms";
        JsonNode created = create("fo-client", persistent);
        assertThat(created.path("owner").asText())
                .as("placed in the exchange's primary region")
                .isEqualTo("n2");
        assertThat(node(3).post(
                                "/api/clients/fo-client/subscriptions",
                                "{\"channels\":[\"" + transient_ + "\"],\"persistent\":false}")
                        .status())
                .isEqualTo(201);
        await().atMost(WAIT).until(() -> sessionsWith(persistent) == 1 && sessionsWith(transient_) == 1);

        LibertyNode owner = cluster.named("n2");
        try (SseStream data = new SseStream(node(1).uri("/api/stream?channel=" + persistent));
                SseStream events = new SseStream(node(1).uri("/api/events"))) {
            data.next(WAIT);
            owner.kill9();
            assertFailedOver(data, events, persistent, transient_);
        } finally {
            restartIfDown(owner);
        }
        JsonNode moved = client("fo-client");
        assertThat(moved.path("epoch").asLong()).isEqualTo(created.path("epoch").asLong() + 1);
        Thread.sleep(2000);
        assertThat(clientSeenBy(owner, "fo-client").path("owner").asText())
                .as("a node restarted under the same name does not take its old clients back")
                .isEqualTo("n3");
        assertThat(sessionsWith(persistent)).isEqualTo(1);
    }

    private static void assertFailedOver(SseStream data, SseStream events, String persistent, String transient_)
            throws InterruptedException {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> "n3".equals(client("fo-client").path("owner").asText())
                        && "CONNECTED".equals(client("fo-client").path("state").asText()));
        Map<String, JsonNode> told =
                awaitEvents(events, "fo-client", "nova.cluster.failover.started", "nova.cluster.failover.completed");
        JsonNode started = told.get("nova.cluster.failover.started");
        JsonNode completed = told.get("nova.cluster.failover.completed");
        assertThat(started.path("detail").asText()).contains("from n2 to n3").contains(transient_);
        assertThat(completed.path("durationMs").asLong()).isPositive();
        await().atMost(WAIT).until(() -> sessionsWith(persistent) == 1);
        assertThat(sessionsWith(transient_)).isZero();
        assertThat(node(1).get("/api/subscriptions?client=fo-client").json())
                .extracting(s -> s.path("channel").asText())
                .containsExactly(persistent);
        // The consumer on a surviving node gets data again, and learns that some was missed.
        boolean sawGap = false;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!sawGap && System.nanoTime() < deadline) {
            sawGap = data.next(WAIT).json().path("gap").asBoolean();
        }
        assertThat(sawGap).isTrue();
    }

    /** Brings a killed node back (same name, ports, environment) and waits until it is a member again. */
    private static void restartIfDown(LibertyNode node) throws InterruptedException {
        if (node.http().isUp()) {
            return;
        }
        node.restart();
        node.awaitStarted(WAIT);
        await().atMost(WAIT)
                .until(() -> ThreeNodes.members(node).size() == 3
                        && cluster.all().stream()
                                .allMatch(n -> ThreeNodes.members(n).size() == 3));
    }

    @Test
    void aTransferUnderASteadyStreamHasNoGapAndNoDuplicate() throws Exception {
        String channel = "trades.ADA-PERPETUAL.raw";
        String from = create("tx-client", channel).path("owner").asText();
        String to = from.equals("n1") ? "n3" : "n1";
        await().atMost(WAIT).until(() -> sessionsWith(channel) == 1);
        List<JsonNode> received = new ArrayList<>();
        try (SseStream data = new SseStream(node(3).uri("/api/stream?channel=" + channel))) {
            for (int i = 0; i < 10; i++) {
                received.add(data.next(WAIT).json());
            }
            Http.Reply moved = node(2).post("/api/clients/tx-client/transfer", "{\"targetNode\":\"" + to + "\"}");
            assertThat(moved.status()).as(moved.text()).isEqualTo(200);
            assertThat(moved.json().path("owner").asText()).isEqualTo(to);
            for (SseStream.Event event : data.drain(Duration.ofSeconds(3))) {
                received.add(event.json());
            }
        }
        List<Long> sequences =
                received.stream().map(m -> m.path("sequence").asLong()).toList();
        for (int i = 1; i < sequences.size(); i++) {
            assertThat(sequences.get(i))
                    .as("sequence after %s", sequences.get(i - 1))
                    .isEqualTo(sequences.get(i - 1) + 1);
        }
        assertThat(received).noneMatch(m -> m.path("gap").asBoolean());
        assertThat(sequences.size()).isGreaterThan(40);
        await().atMost(WAIT).until(() -> sessionsWith(channel) == 1);
        assertThat(client("tx-client").path("state").asText()).isEqualTo("CONNECTED");
    }

    @Test
    void aTransferWhoseTargetGetsNoDataAbortsAndTheSourceKeepsTheClient() {
        // The simulator refuses UNKNOWN instruments, so the target never receives data on every channel.
        String channel = "trades.BTC-PERPETUAL.raw";
        JsonNode created = create("stuck-client", channel, "book.UNKNOWN-PERPETUAL.100ms");
        String from = created.path("owner").asText();
        String to = from.equals("n1") ? "n3" : "n1";
        await().atMost(WAIT).until(() -> "CONNECTED"
                .equals(client("stuck-client").path("state").asText()));

        Http.Reply aborted = node(2).post("/api/clients/stuck-client/transfer", "{\"targetNode\":\"" + to + "\"}");

        assertThat(aborted.status()).as(aborted.text()).isEqualTo(409);
        assertThat(aborted.isProblem()).isTrue();
        assertThat(aborted.json().path("detail").asText()).contains("aborted").contains(from + " keeps the client");
        JsonNode after = client("stuck-client");
        assertThat(after.path("owner").asText()).isEqualTo(from);
        assertThat(after.path("epoch").asLong()).isEqualTo(created.path("epoch").asLong());
        await().atMost(WAIT).until(() -> "CONNECTED"
                .equals(client("stuck-client").path("state").asText()));
        await().atMost(WAIT)
                .until(() -> simulator.sessions().stream()
                                .filter(s -> s.channels().contains(channel)
                                        && s.channels().size() == 1)
                                .count()
                        == 1);
    }

    /**
     * The target dies mid-transfer (its shadow session is open): the source keeps the client, the client is CONNECTED
     * again (not TRANSFERRING for ever) and can be transferred again once the target is back.
     */
    @Test
    void killingTheTargetDuringATransferLeavesExactlyOneOwnerThatCanTransferAgain() throws Exception {
        String channel = "trades.DOGE-PERPETUAL.raw";
        JsonNode created = create("killed-target", channel, "book.UNKNOWN-DOGE.100ms");
        String from = created.path("owner").asText();
        String to = from.equals("n1") ? "n3" : "n1";
        String askVia = List.of("n1", "n2", "n3").stream()
                .filter(n -> !n.equals(to))
                .findFirst()
                .orElseThrow();
        await().atMost(WAIT).until(() -> "CONNECTED"
                .equals(client("killed-target").path("state").asText()));

        CompletableFuture<Http.Reply> transfer = CompletableFuture.supplyAsync(() -> cluster.named(askVia)
                .http()
                .post("/api/clients/killed-target/transfer", "{\"targetNode\":\"" + to + "\"}"));
        LibertyNode target = cluster.named(to);
        try {
            await().atMost(WAIT).until(() -> sessionsWith(channel) == 2);
            target.kill9();

            assertThat(transfer.get().status()).isEqualTo(409);
            await().atMost(WAIT).until(() -> sessionsWith(channel) == 1);
            await().atMost(WAIT).until(() -> "CONNECTED"
                    .equals(clientSeenBy(cluster.named(askVia), "killed-target")
                            .path("state")
                            .asText()));
            JsonNode after = clientSeenBy(cluster.named(askVia), "killed-target");
            assertThat(after.path("owner").asText()).isEqualTo(from);
            assertThat(after.path("epoch").asLong())
                    .isEqualTo(created.path("epoch").asLong());
        } finally {
            restartIfDown(target);
        }
        assertThat(sessionsWith(channel)).isEqualTo(1);

        // Without the channel the exchange refuses, the target can get data on every channel and take over.
        String unknown = StreamSupport.stream(
                        node(1).get("/api/subscriptions?client=killed-target")
                                .json()
                                .spliterator(),
                        false)
                .filter(s -> s.path("channel").asText().contains("UNKNOWN"))
                .map(s -> s.path("id").asText())
                .findFirst()
                .orElseThrow();
        assertThat(node(1).delete("/api/clients/killed-target/subscriptions/" + unknown)
                        .status())
                .isEqualTo(204);
        Http.Reply again = cluster.named(askVia)
                .http()
                .post("/api/clients/killed-target/transfer", "{\"targetNode\":\"" + to + "\"}");
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.json().path("owner").asText()).isEqualTo(to);
        await().atMost(WAIT).until(() -> sessionsWith(channel) == 1);
    }

    @Test
    void aHungOwnerIsFailedOverAndLetsGoOfItsSessionWhenItResumes() throws Exception {
        // Binance: its exchange does not end a silent session within seconds (Deribit's heartbeats would, during the
        // stop), so the session is still open when the hung node resumes, as it would be at Binance.
        String channel = "ltcusdt@trade";
        createOn("hung-client", "binance", simulator.binanceUrl(), channel);
        String owner = client("hung-client").path("owner").asText();
        LibertyNode hung = cluster.named(owner);
        LibertyNode witness =
                cluster.all().stream().filter(n -> n != hung).findFirst().orElseThrow();
        await().atMost(WAIT).until(() -> sessionsWith(channel) == 1);
        // The owner's report of the live session is in the registry before the stop, so the stop finds the client
        // at rest. A stop inside that write waits for the remote timeout after the resume, off the client's lane:
        // ClientConnectionTest shows it holds up neither the client nor its release.
        await().atMost(WAIT).until(() -> "CONNECTED"
                .equals(clientSeenBy(hung, "hung-client").path("state").asText()));
        int stale = sessionIdWith(channel);

        hung.signal("STOP");
        long sentBeforeTheStop;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode seen = clientSeenBy(witness, "hung-client");
                return !owner.equals(seen.path("owner").asText())
                        && "CONNECTED".equals(seen.path("state").asText());
            });
            // Past the stale feed timeout and a heartbeat of the exchange's, both of which wait for the resume.
            Thread.sleep(6000);
            sentBeforeTheStop = simulator.framesReceived(stale);
        } finally {
            hung.signal("CONT");
        }
        long resumed = System.nanoTime();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> sessionsWith(channel) == 1);
        System.out.printf(
                "FailoverIT: the resumed node's stale session was gone %d ms after SIGCONT%n",
                (System.nanoTime() - resumed) / 1_000_000);
        assertThat(simulator.framesReceived(stale))
                .as("the resumed node sent nothing on its stale session before closing it")
                .isEqualTo(sentBeforeTheStop);
        String newOwner = clientSeenBy(witness, "hung-client").path("owner").asText();

        await().atMost(Duration.ofSeconds(90))
                .until(() -> ThreeNodes.members(hung).size() == 3
                        && newOwner.equals(
                                clientSeenBy(hung, "hung-client").path("owner").asText()));
        await().atMost(WAIT).until(() -> sessionsWith(channel) == 1);
        Thread.sleep(3000);
        assertThat(sessionsWith(channel))
                .as("the resumed node must not reconnect its old session")
                .isEqualTo(1);
    }

    @Test
    void aTakeoverMovesTheClientToTheNodeThatWasAsked() {
        String channel = "book.DOT-PERPETUAL.100ms";
        String from = create("taken-client", channel).path("owner").asText();
        int asked = from.equals("n1") ? 3 : 1;
        String to = "n" + asked;
        await().atMost(WAIT).until(() -> sessionsWith(channel) == 1);

        Http.Reply taken = node(asked)
                .post("/api/failover/takeover", "{\"client\":\"taken-client\",\"sourceNode\":\"" + from + "\"}");

        assertThat(taken.status()).as(taken.text()).isEqualTo(200);
        assertThat(taken.json().get(0).path("owner").asText()).isEqualTo(to);
        await().atMost(WAIT).until(() -> "CONNECTED"
                .equals(client("taken-client").path("state").asText()));
        await().atMost(WAIT).until(() -> sessionsWith(channel) == 1);
    }

    @Test
    void badFailoverRequestsAreProblemsAndChangeNothing() {
        JsonNode created = create("steady-client", "ticker.XRP-PERPETUAL.100ms");
        String owner = created.path("owner").asText();
        // A live node that neither owns the client nor receives the requests (node 1).
        String other = List.of("n2", "n3").stream()
                .filter(n -> !n.equals(owner))
                .findFirst()
                .orElseThrow();

        assertProblem(node(1).post("/api/failover/takeover", "{\"sourceNode\":\"ghost\"}"), 404, "ghost");
        assertProblem(node(1).post("/api/failover/takeover", "{}"), 400, "sourceNode is required");
        assertProblem(
                node(1).post(
                                "/api/failover/takeover",
                                "{\"client\":\"steady-client\",\"sourceNode\":\"" + other + "\"}"),
                409,
                "is owned by " + owner);
        assertProblem(
                node(1).post("/api/failover/takeover", "{\"client\":\"nobody\",\"sourceNode\":\"" + owner + "\"}"),
                404,
                "does not exist");
        assertProblem(
                node(1).post("/api/clients/steady-client/transfer", "{\"targetNode\":\"ghost\"}"), 404, "not a member");
        assertProblem(
                node(1).post("/api/clients/steady-client/transfer", "{\"targetNode\":\"" + owner + "\"}"),
                409,
                "already owned by");
        assertProblem(node(1).post("/api/clients/nobody/transfer", "{\"targetNode\":\"n1\"}"), 404, "does not exist");
        assertProblem(node(1).post("/api/clients/steady-client/transfer", "{}"), 400, "targetNode is required");

        JsonNode after = client("steady-client");
        assertThat(after.path("owner").asText()).isEqualTo(owner);
        assertThat(after.path("epoch").asLong()).isEqualTo(created.path("epoch").asLong());
    }

    private static void assertProblem(Http.Reply reply, int status, String detail) {
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().path("detail").asText()).contains(detail);
    }
}
