package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LabCluster;
import dev.nova.it.support.NetworkLab;
import dev.nova.it.support.SseStream;
import dev.nova.simulator.ExchangeSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An even split of four live nodes (two bridges, each side connected within itself) under the default
 * {@code pause_minority} without {@code quorum-size}: the side holding the oldest member keeps quorum and takes the
 * other side's clients over, the other side pauses and refuses writes; then a heal followed at once by a second
 * split, and the merge that keeps what the quorate side wrote and nothing the paused side was asked to.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EvenSplitIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static final Map<String, String> CHANNELS = new LinkedHashMap<>();

    static {
        CHANNELS.put("e-c1", "trades.BTC-PERPETUAL.raw");
        CHANNELS.put("e-c2", "trades.ETH-PERPETUAL.raw");
        CHANNELS.put("e-c3", "trades.SOL-PERPETUAL.raw");
        CHANNELS.put("e-c4", "trades.XRP-PERPETUAL.raw");
    }

    /** A subscription deleted on the quorate side during the split. */
    private static final String DELETED_DURING_SPLIT = "trades.ADA-PERPETUAL.raw";
    /** A subscription the quorate side accepts during the split. */
    private static final String ADDED_DURING_SPLIT = "trades.DOGE-PERPETUAL.raw";
    /** A subscription the paused side is asked for during the split (and refuses). */
    private static final String REFUSED_DURING_SPLIT = "trades.DOT-PERPETUAL.raw";

    private static NetworkLab lab;
    private static ExchangeSimulator simulator;
    private static LabCluster cluster;
    /** The side with the oldest member (it keeps quorum), and the other one. */
    private static final List<Integer> kept = new ArrayList<>();

    private static final List<Integer> paused = new ArrayList<>();
    private static final Map<String, String> ownersBefore = new LinkedHashMap<>();
    private static String deletedId;
    private static long subscribesOfTheDeletedChannel;

    @BeforeAll
    static void startCluster() throws Exception {
        lab = NetworkLab.create(4);
        simulator = LabCluster.simulator(lab);
        cluster = LabCluster.start(lab, 4, "it-even-split", Map.of());
        int i = 1;
        for (Map.Entry<String, String> client : CHANNELS.entrySet()) {
            cluster.createClient(i++, simulator, client.getKey(), client.getValue());
        }
        await().atMost(WAIT).until(() -> CHANNELS.values().stream().allMatch(c -> simulator.subscribers(c) == 1));
        for (String client : CHANNELS.keySet()) {
            ownersBefore.put(client, cluster.client(1, client).path("owner").asText());
        }
        int oldest = Integer.parseInt(cluster.coordinator(1).substring(1));
        kept.add(oldest);
        for (int n = 1; n <= 4; n++) {
            if (n != oldest) {
                (kept.size() < 2 ? kept : paused).add(n);
            }
        }
        String keptClient = clientOwnedBy(kept);
        Http.Reply extra = cluster.http(kept.get(0))
                .post(
                        "/api/clients/" + keptClient + "/subscriptions",
                        "{\"channels\":[\"" + DELETED_DURING_SPLIT + "\"]}");
        assertThat(extra.status()).as(extra.text()).isEqualTo(201);
        deletedId = extra.json().path("subscriptions").get(0).path("id").asText();
        await().atMost(WAIT).until(() -> simulator.subscribers(DELETED_DURING_SPLIT) == 1);
        System.out.println("EvenSplitIT: sides " + kept + " (oldest member n" + oldest + ") | " + paused + ", owners "
                + ownersBefore);
    }

    @AfterAll
    static void stopCluster() {
        Fixtures.close(lab, simulator, cluster);
    }

    /** A client whose owner before the split is on {@code side}. */
    private static String clientOwnedBy(List<Integer> side) {
        return ownersBefore.entrySet().stream()
                .filter(e -> side.contains(Integer.parseInt(e.getValue().substring(1))))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no client is owned on " + side + ": " + ownersBefore));
    }

    /** Each client's owner and epoch on the quorate side just before the final heal ({@code owner@epoch}). */
    private static final Map<String, String> keptChoice = new HashMap<>();

    private static boolean onSide(String owner, List<Integer> side) {
        return owner.startsWith("n") && side.contains(Integer.parseInt(owner.substring(1)));
    }

    /** Every client is connected, owned on the kept side, as a kept node answers. */
    private static boolean keptSideRunsEveryClient() {
        for (String client : CHANNELS.keySet()) {
            JsonNode record = cluster.client(kept.get(0), client);
            if (!onSide(record.path("owner").asText(), kept)
                    || !record.path("state").asText().equals("CONNECTED")) {
                return false;
            }
        }
        return true;
    }

    @Test
    @Order(1)
    void theSideWithTheOldestMemberServesAndTheOtherPausesWithNeverTwoSessionsAtTheExchange() throws Exception {
        String moved = clientOwnedBy(paused);
        cluster.watchForDoubleSessions(simulator, CHANNELS.values());
        try (SseStream data =
                new SseStream(cluster.http(kept.get(1)).uri("/api/stream?channel=" + CHANNELS.get(moved)))) {
            data.next(WAIT);
            long splitAt = System.nanoTime();
            lab.split(paused);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> paused.stream().allMatch(n -> "paused".equals(cluster.status(n))));
            await().atMost(Duration.ofSeconds(20)).until(EvenSplitIT::keptSideRunsEveryClient);
            System.out.println(
                    "EvenSplitIT: every client live on the kept side " + (System.nanoTime() - splitAt) / 1_000_000
                            + " ms after the split; samples with two sessions: " + cluster.doubleSessions());

            cluster.awaitOneView(Duration.ofSeconds(20), kept);
            for (int n : kept) {
                assertThat(cluster.status(n)).as("n%s holds quorum", n).isEqualTo("ready");
            }
            for (int n : paused) {
                JsonNode health = cluster.http(n).get("/api/cluster/health").json();
                assertThat(health.path("partitions").asBoolean()).isTrue();
                assertThat(cluster.http(n).get("/health/ready").status()).isEqualTo(503);
                Http.Reply refused = cluster.http(n)
                        .post(
                                "/api/clients/" + moved + "/subscriptions",
                                "{\"channels\":[\"" + REFUSED_DURING_SPLIT + "\"]}");
                assertThat(refused.status()).as(refused.text()).isEqualTo(503);
                assertThat(refused.isProblem()).isTrue();
            }
            Http keptNode = cluster.http(kept.get(1));
            assertThat(keptNode.post(
                                    "/api/clients/" + moved + "/subscriptions",
                                    "{\"channels\":[\"" + ADDED_DURING_SPLIT + "\"]}")
                            .status())
                    .as("the quorate side takes writes")
                    .isEqualTo(201);
            String keptClient = clientOwnedBy(kept);
            assertThat(keptNode.delete("/api/clients/" + keptClient + "/subscriptions/" + deletedId)
                            .status())
                    .as("and deletes")
                    .isEqualTo(204);
            await().atMost(WAIT).until(() -> simulator.subscribers(ADDED_DURING_SPLIT) == 1);
            await().atMost(WAIT).until(() -> simulator.subscribers(DELETED_DURING_SPLIT) == 0);
            subscribesOfTheDeletedChannel = simulator.subscribeRequests(DELETED_DURING_SPLIT);
            assertThat(simulator.subscribers(REFUSED_DURING_SPLIT)).isZero();

            LabCluster.assertResumedWithTheGapFlagged(data, Duration.ofSeconds(10));
            assertThat(cluster.doubleSessions())
                    .as("samples (every 100 ms) in which the exchange held two sessions of one client")
                    .isEmpty();
        } catch (RuntimeException | Error | InterruptedException e) {
            lab.join();
            throw e;
        }
    }

    @Test
    @Order(2)
    void aHealFollowedAtOnceByASecondSplitChangesNothingAndTheFinalMergeKeepsTheQuorateSidesWrites() throws Exception {
        try (SseStream data = new SseStream(
                cluster.http(kept.get(0)).uri("/api/stream?channel=" + CHANNELS.get(clientOwnedBy(paused))))) {
            data.next(WAIT);
            lab.join();
            Thread.sleep(1000);
            lab.split(paused);
            Thread.sleep(15_000);
            assertThat(keptSideRunsEveryClient())
                    .as("the kept side still runs every client after the heal and the second split")
                    .isTrue();
            for (int n : paused) {
                assertThat(cluster.status(n)).as("n%s", n).isEqualTo("paused");
            }
            LabCluster.assertNoDuplicatesAndEveryGapFlagged(data.drain(Duration.ofSeconds(1)));
            for (String client : CHANNELS.keySet()) {
                JsonNode record = cluster.client(kept.get(0), client);
                keptChoice.put(
                        client,
                        record.path("owner").asText() + "@"
                                + record.path("epoch").asLong());
            }
        } finally {
            lab.join();
        }
        long healedAt = System.nanoTime();
        cluster.awaitOneView(WAIT, List.of(1, 2, 3, 4));
        System.out.println("EvenSplitIT: one view again " + (System.nanoTime() - healedAt) / 1_000_000
                + " ms after the final heal");
        // Bounds that allow for a second merge (JGroups sometimes excludes a healed member again right after one).
        await().atMost(Duration.ofSeconds(60))
                .until(() -> List.of(1, 2, 3, 4).stream().allMatch(n -> "ready".equals(cluster.status(n))));
        // The quorate side's records win the merge (highest epoch). A later quorate view may still move a client
        // (JGroups sometimes excludes a healed member again right after a merge, and a quorate side then fails its
        // clients over): then only with a higher epoch, never back to a paused side's stale record.
        for (String client : CHANNELS.keySet()) {
            String[] choice = keptChoice.get(client).split("@");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String agreed = null;
                for (int n = 1; n <= 4; n++) {
                    JsonNode record = cluster.client(n, client);
                    String seen = record.path("owner").asText() + "@"
                            + record.path("epoch").asLong();
                    assertThat(agreed == null || agreed.equals(seen))
                            .as("n%s agrees on %s's owner and epoch (%s, others %s)", n, client, seen, agreed)
                            .isTrue();
                    agreed = seen;
                }
                String[] merged = agreed.split("@");
                assertThat(Long.parseLong(merged[1]))
                        .as(
                                "%s: the quorate side chose %s, the merged record is %s",
                                client, keptChoice.get(client), agreed)
                        .isGreaterThanOrEqualTo(Long.parseLong(choice[1]));
                if (!merged[0].equals(choice[0])) {
                    assertThat(Long.parseLong(merged[1]))
                            .as(
                                    "%s moved from the quorate side's choice %s only by a later failover",
                                    client, choice[0])
                            .isGreaterThan(Long.parseLong(choice[1]));
                }
            });
        }
        await().atMost(WAIT).until(() -> CHANNELS.values().stream().allMatch(c -> simulator.subscribers(c) == 1));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (int n = 1; n <= 4; n++) {
                String registry = cluster.http(n).get("/api/subscriptions").text();
                assertThat(registry)
                        .as("n%s: deleted on the quorate side, stays deleted", n)
                        .doesNotContain(deletedId);
                assertThat(registry)
                        .as("n%s: written on the quorate side, kept", n)
                        .contains(ADDED_DURING_SPLIT);
                assertThat(registry)
                        .as("n%s: refused on the paused side, absent", n)
                        .doesNotContain(REFUSED_DURING_SPLIT);
            }
        });
        Thread.sleep(2000);
        assertThat(simulator.subscribers(ADDED_DURING_SPLIT)).isEqualTo(1);
        assertThat(simulator.subscribers(REFUSED_DURING_SPLIT)).isZero();
        assertThat(simulator.subscribeRequests(DELETED_DURING_SPLIT))
                .as("the deleted subscription never went back to the exchange")
                .isEqualTo(subscribesOfTheDeletedChannel);
        assertThat(cluster.doubleSessions())
                .as("samples (every 100 ms) in which the exchange held two sessions of one client, merges included")
                .isEmpty();
    }
}
