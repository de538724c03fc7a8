package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ApiUsers;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.SseStream;
import dev.nova.it.support.ThreeNodes;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Day-two operations on one cluster of three real servers (issue 23, items 4 and 5).
 *
 * <p>Stream resume: a consumer that comes back with {@code Last-Event-ID}, to the node it left or to any other, gets
 * what it missed from the replay buffers, then the live stream, with no duplicate; past the buffer its first message
 * says {@code gap: true}; across a failover of the channel's client it still gets what the nodes kept before the owner
 * died.
 *
 * <p>Rotating exchange credentials: {@code PUT /api/clients/{name}/credentials}, asked of a node that does not run the
 * client, authenticates the live session again (the same connection, a new account) with no gap in the stream; a
 * refused key answers 409 with the exchange's message and leaves the old one in use; the record keeps the new key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DayTwoIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CHANNEL = "trades.RS-PERPETUAL.raw";
    private static final String KEYED_CHANNEL = "trades.KY-PERPETUAL.raw";
    /** Ten seconds of the channel at the simulator's rate. */
    private static final int REPLAY_SIZE = 100;

    private static ExchangeSimulator simulator;
    private static ThreeNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(10)
                .deribitMinHeartbeatSeconds(1)
                .credentials("desk-1", "first-secret")
                .credentials("desk-2", "second-secret"));
        Map<String, String> env = Fixtures.fastSessions();
        // The client is placed on n2 (us-east); its failover goes to ap-east (n3).
        env.put("NOVA_EXCHANGES_DERIBIT_PRIMARY_REGION", "us-east");
        env.put("NOVA_EXCHANGES_DERIBIT_FAILOVER_REGIONS", "ap-east");
        env.put("NOVA_STREAM_REPLAY_SIZE", Integer.toString(REPLAY_SIZE));
        cluster = ThreeNodes.start(env, WAIT);
        Http.Reply reply = node(1).post(
                        "/api/clients",
                        "{\"name\":\"resumed\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                                + "\",\"channels\":[\"" + CHANNEL + "\"]}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        assertThat(reply.json().path("owner").asText()).isEqualTo("n2");
        Http.Reply keyed = node(1).post(
                        "/api/clients",
                        "{\"name\":\"keyed\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                                + "\",\"credentials\":{\"clientId\":\"desk-1\",\"clientSecret\":\"first-secret\"},"
                                + "\"channels\":[\"" + KEYED_CHANNEL + "\"]}");
        assertThat(keyed.status()).as(keyed.text()).isEqualTo(201);
        assertThat(keyed.json().path("owner").asText()).isEqualTo("n2");
        await().atMost(WAIT)
                .until(() -> simulator.subscribers(CHANNEL) == 1 && simulator.subscribers(KEYED_CHANNEL) == 1);
    }

    @AfterAll
    static void stopCluster() {
        Fixtures.close(simulator, cluster);
    }

    private static Http node(int number) {
        return cluster.node(number).http();
    }

    private static SseStream open(Http on, String... headers) throws Exception {
        SseStream stream = new SseStream(on.uri("/api/stream?channel=" + CHANNEL), ApiUsers.admin(), headers);
        assertThat(stream.status()).isEqualTo(200);
        return stream;
    }

    private static List<JsonNode> read(SseStream stream, Duration window) throws InterruptedException {
        List<JsonNode> received = new ArrayList<>();
        for (SseStream.Event event : stream.drain(window)) {
            if ("message".equals(event.name())) {
                assertThat(event.id()).isEqualTo(event.json().path("sequence").asText());
                received.add(event.json());
            }
        }
        return received;
    }

    /** Reads a while, then leaves: answers the id of the last message, as an EventSource would remember it. */
    private static long readAndLeave(Http on) throws Exception {
        try (SseStream stream = open(on)) {
            List<JsonNode> received = read(stream, Duration.ofSeconds(2));
            assertThat(received).isNotEmpty();
            return received.get(received.size() - 1).path("sequence").asLong();
        }
    }

    private static List<Long> sequences(List<JsonNode> received) {
        return received.stream().map(m -> m.path("sequence").asLong()).toList();
    }

    /** Every message from right after {@code lastId} on, once, in order, none marked a gap. */
    private static void assertResumedWithoutLoss(List<JsonNode> received, long lastId, long awayMillis) {
        List<Long> sequences = sequences(received);
        // At ten a second, the time away is at least this many messages: they came from the replay.
        assertThat(sequences.size()).isGreaterThan((int) (awayMillis / 100));
        assertThat(sequences.get(0)).as("the first message after %s", lastId).isEqualTo(lastId + 1);
        for (int i = 1; i < sequences.size(); i++) {
            assertThat(sequences.get(i))
                    .as("the message after %s", sequences.get(i - 1))
                    .isEqualTo(sequences.get(i - 1) + 1);
        }
        assertThat(received).noneMatch(m -> m.path("gap").asBoolean());
    }

    @Test
    @Order(1)
    void aConsumerBackOnAnotherNodeGetsWhatItMissedThenTheLiveStream() throws Exception {
        long lastId = readAndLeave(node(3));
        Thread.sleep(3_000);

        try (SseStream back = open(node(1), "Last-Event-ID", Long.toString(lastId))) {
            assertResumedWithoutLoss(read(back, Duration.ofSeconds(3)), lastId, 3_000);
        }
    }

    @Test
    @Order(2)
    void aConsumerBackOnTheSameNodeGetsWhatItMissedWithTheQueryParameterToo() throws Exception {
        long lastId = readAndLeave(node(3));
        Thread.sleep(3_000);

        SseStream back = new SseStream(
                node(3).uri("/api/stream?channel=" + CHANNEL + "&lastEventId=" + lastId), ApiUsers.admin());
        try (back) {
            assertThat(back.status()).isEqualTo(200);
            assertResumedWithoutLoss(read(back, Duration.ofSeconds(3)), lastId, 3_000);
        }
    }

    @Test
    @Order(3)
    void pastTheReplayBufferTheFirstMessageSaysGap() throws Exception {
        long lastId = readAndLeave(node(1));
        // Longer than the buffer holds: 100 messages at ten a second.
        await().atMost(WAIT).until(() -> simulator.sequence(CHANNEL) > lastId + REPLAY_SIZE + 20);

        try (SseStream back = open(node(2), "Last-Event-ID", Long.toString(lastId))) {
            List<JsonNode> received = read(back, Duration.ofSeconds(3));
            assertThat(received).isNotEmpty();
            assertThat(received.get(0).path("gap").asBoolean())
                    .as(received.get(0).toString())
                    .isTrue();
            assertThat(received.get(0).path("sequence").asLong()).isGreaterThan(lastId + 1);
            List<Long> sequences = sequences(received);
            for (int i = 1; i < sequences.size(); i++) {
                assertThat(sequences.get(i)).isEqualTo(sequences.get(i - 1) + 1);
            }
        }
    }

    @Test
    @Order(4)
    void aLastEventIdThatIsNoSequenceIsABadRequest() {
        Http.Reply reply =
                node(1).send("GET", "/api/stream?channel=" + CHANNEL, null, null, "Last-Event-ID", "yesterday");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.isProblem()).as(reply.text()).isTrue();
        assertThat(reply.json().path("detail").asText()).contains("yesterday");
    }

    /** The simulator's session of the keyed client: the one subscribed to its channel. */
    private static ExchangeSimulator.SessionInfo keyedSession() {
        return simulator.sessions().stream()
                .filter(s -> s.channels().contains(KEYED_CHANNEL))
                .findFirst()
                .orElseThrow();
    }

    private static Http.Reply rotate(Http on, String client, String body) {
        return on.send("PUT", "/api/clients/" + client + "/credentials", "application/json", body);
    }

    @Test
    @Order(5)
    void newCredentialsAreUsedOnTheLiveSessionWithNoGapAndARefusedKeyLeavesTheOldOne() throws Exception {
        ExchangeSimulator.SessionInfo before = keyedSession();
        assertThat(before.account()).isEqualTo("desk-1");
        List<JsonNode> received = new ArrayList<>();
        try (SseStream stream = new SseStream(node(1).uri("/api/stream?channel=" + KEYED_CHANNEL))) {
            received.addAll(read(stream, Duration.ofSeconds(1)));

            Http.Reply refused = rotate(node(3), "keyed", "{\"clientId\":\"desk-2\",\"clientSecret\":\"wrong\"}");
            assertThat(refused.status()).as(refused.text()).isEqualTo(409);
            assertThat(refused.isProblem()).isTrue();
            assertThat(refused.json().path("detail").asText()).contains("invalid_credentials");
            assertThat(keyedSession().account()).isEqualTo("desk-1");

            Http.Reply accepted =
                    rotate(node(3), "keyed", "{\"clientId\":\"desk-2\",\"clientSecret\":\"second-secret\"}");
            assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);
            assertThat(accepted.json().path("credentials").path("clientId").asText())
                    .isEqualTo("desk-2");
            assertThat(accepted.text()).doesNotContain("second-secret");
            ExchangeSimulator.SessionInfo after = keyedSession();
            assertThat(after.id()).as("the same connection").isEqualTo(before.id());
            assertThat(after.account()).isEqualTo("desk-2");

            received.addAll(read(stream, Duration.ofSeconds(2)));
        }
        List<Long> sequences = sequences(received);
        assertThat(sequences.size()).isGreaterThan(20);
        for (int i = 1; i < sequences.size(); i++) {
            assertThat(sequences.get(i)).isEqualTo(sequences.get(i - 1) + 1);
        }
        assertThat(received).noneMatch(m -> m.path("gap").asBoolean());

        // The record keeps the new key: another node, which builds the client from the record, authenticates with it.
        Http.Reply moved = node(1).post("/api/clients/keyed/transfer", "{\"targetNode\":\"n3\"}");
        assertThat(moved.status()).as(moved.text()).isEqualTo(200);
        await().atMost(WAIT)
                .until(() -> simulator.sessions().stream()
                                .filter(s -> s.channels().contains(KEYED_CHANNEL))
                                .map(ExchangeSimulator.SessionInfo::id)
                                .toList()
                                .equals(List.of(keyedSession().id()))
                        && keyedSession().id() != before.id());
        assertThat(keyedSession().account()).isEqualTo("desk-2");
    }

    @Test
    @Order(5)
    void rotatingWithoutAKeyOrOfAnUnknownClientIsRefused() {
        Http.Reply empty = rotate(node(1), "keyed", "{\"clientId\":\"desk-3\"}");
        assertThat(empty.status()).as(empty.text()).isEqualTo(400);
        assertThat(empty.isProblem()).isTrue();
        Http.Reply unknown = rotate(node(1), "nobody", "{\"clientId\":\"desk-3\",\"clientSecret\":\"x\"}");
        assertThat(unknown.status()).as(unknown.text()).isEqualTo(404);
    }

    @Test
    @Order(6)
    void acrossAFailoverTheConsumerGetsWhatTheNodesKeptAndAGapOnlyWhereNobodyHadIt() throws Exception {
        long lastId = readAndLeave(node(3));
        // The owner goes on sending for two seconds after the consumer left, then dies.
        Thread.sleep(2_000);
        cluster.node(2).kill9();
        await().atMost(WAIT).until(() -> {
            JsonNode client = node(1).get("/api/clients/resumed").json();
            return !"n2".equals(client.path("owner").asText())
                    && "CONNECTED".equals(client.path("state").asText());
        });
        Thread.sleep(2_000);

        try (SseStream back = open(node(1), "Last-Event-ID", Long.toString(lastId))) {
            List<JsonNode> received = read(back, Duration.ofSeconds(3));
            List<Long> sequences = sequences(received);
            // What the old owner sent before it died was kept where the consumer had been; what the exchange sent
            // while no node had the session is a gap, said on the first message after it.
            assertThat(sequences.get(0))
                    .as("the first message after %s", lastId)
                    .isEqualTo(lastId + 1);
            assertThat(received.get(0).path("gap").asBoolean()).isFalse();
            for (int i = 1; i < sequences.size(); i++) {
                assertThat(sequences.get(i)).as("no duplicate").isGreaterThan(sequences.get(i - 1));
                boolean follows = sequences.get(i) == sequences.get(i - 1) + 1;
                assertThat(received.get(i).path("gap").asBoolean())
                        .as("gap flag of %s after %s", sequences.get(i), sequences.get(i - 1))
                        .isEqualTo(!follows);
            }
            // And the stream goes on live from the new owner.
            assertThat(sequences.get(sequences.size() - 1)).isGreaterThan(simulator.sequence(CHANNEL) - 20);
        }
    }
}
