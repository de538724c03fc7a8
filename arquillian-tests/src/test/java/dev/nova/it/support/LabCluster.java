package dev.nova.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/**
 * A cluster of Liberty nodes in a {@link NetworkLab}, one per namespace, JGroups on the cluster links and REST on
 * the application links, for the partition tests: start, ask, watch the exchange for double sessions, stop.
 */
public final class LabCluster implements AutoCloseable {

    /** JGroups' port inside each namespace: the namespaces are private, so every node can use the same one. */
    private static final int CLUSTER_PORT = 17_900;

    private final List<LibertyNode> nodes;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    private final List<String> doubleSessions = new CopyOnWriteArrayList<>();

    private LabCluster(List<LibertyNode> nodes) {
        this.nodes = nodes;
    }

    /**
     * Starts {@code count} nodes n1..n{count} in {@code lab} under a cluster name of their own, with the fast session
     * settings and {@code settings} added, and waits until every one lists them all. With the system property
     * {@code nova.it.cluster-pki=true} the nodes talk over TLS with certificates of an authority made for the run
     * (the cluster's PKI), to run the partition tests over that transport: {@code mvn verify -Dit.test=PartitionIT
     * -Dnova.it.cluster-pki=true}.
     */
    public static LabCluster start(NetworkLab lab, int count, String name, Map<String, String> settings)
            throws InterruptedException {
        String cluster = name + "-" + System.nanoTime();
        List<String> hosts = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            hosts.add(lab.clusterAddress(i) + "[" + CLUSTER_PORT + "]");
        }
        Map<String, String> pki = new java.util.HashMap<>();
        if (Boolean.getBoolean("nova.it.cluster-pki")) {
            try {
                dev.nova.cluster.TestPki authority =
                        dev.nova.cluster.TestPki.create(java.nio.file.Path.of("target", "it-pki"));
                pki.put("NOVA_CLUSTER_TLS_KEYSTORE_PASSWORD", authority.password());
                pki.put("NOVA_CLUSTER_TLS_TRUSTSTORE", authority.truststore().toString());
                pki.put("NOVA_CLUSTER_TLS_TRUSTSTORE_PASSWORD", authority.password());
                for (int i = 1; i <= count; i++) {
                    pki.put("keystore-n" + i, authority.signed("n" + i).toString());
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        List<CompletableFuture<LibertyNode>> starting = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Map<String, String> env = Fixtures.fastSessions();
            env.putAll(settings);
            if (!pki.isEmpty()) {
                pki.forEach((key, value) -> {
                    if (key.startsWith("NOVA_")) {
                        env.put(key, value);
                    }
                });
                env.put("NOVA_CLUSTER_TLS_KEYSTORE", pki.get("keystore-n" + i));
            }
            env.put("NOVA_NODE_NAME", "n" + i);
            env.put("NOVA_CLUSTER_NAME", cluster);
            env.put("NOVA_CLUSTER_BIND_ADDRESS", lab.clusterAddress(i));
            env.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(CLUSTER_PORT));
            env.put("NOVA_CLUSTER_INITIAL_HOSTS", String.join(",", hosts));
            env.put("NOVA_NODE_EGRESS_ADDRESS", lab.appAddress(i));
            int number = i;
            starting.add(CompletableFuture.supplyAsync(
                    () -> LibertyNode.start("n" + number, env, lab.appAddress(number), 9080, lab.inside(number))));
        }
        LabCluster started = new LabCluster(LibertyNode.awaitAll(starting, Duration.ofMinutes(3)));
        try {
            started.awaitOneView(Duration.ofSeconds(60), allNumbers(count));
        } catch (RuntimeException | Error | InterruptedException e) {
            started.close();
            throw e;
        }
        return started;
    }

    /**
     * The exchange simulator on the host's side of the lab's application bridge: 20 messages a second per channel,
     * heartbeats down to 1 s (the fast session settings use them).
     */
    public static ExchangeSimulator simulator(NetworkLab lab) throws Exception {
        return ExchangeSimulator.start(SimulatorOptions.defaults()
                .host(lab.hostAddress())
                .messagesPerSecond(20)
                .deribitMinHeartbeatSeconds(1));
    }

    private static List<Integer> allNumbers(int count) {
        List<Integer> all = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            all.add(i);
        }
        return all;
    }

    public int size() {
        return nodes.size();
    }

    public LibertyNode node(int number) {
        return nodes.get(number - 1);
    }

    public Http http(int number) {
        return node(number).http();
    }

    /** A client's record as node {@code number} answers it. */
    public JsonNode client(int number, String name) {
        return http(number).get("/api/clients/" + name).json();
    }

    /** {@code /api/cluster}'s status on node {@code number}: ready, paused, … */
    public String status(int number) {
        return http(number).get("/api/cluster").json().path("status").asText();
    }

    /** The members node {@code number} lists, or none when it does not answer. */
    public List<String> members(int number) {
        try {
            JsonNode cluster = http(number).get("/api/cluster").json();
            return StreamSupport.stream(cluster.path("nodes").spliterator(), false)
                    .map(n -> n.path("name").asText())
                    .sorted()
                    .toList();
        } catch (RuntimeException notAnswering) {
            return List.of();
        }
    }

    /** The JGroups coordinator, the oldest member, as node {@code number} sees it. */
    public String coordinator(int number) {
        return http(number)
                .get("/api/cluster/diagnostics")
                .json()
                .path("coordinator")
                .asText();
    }

    /** Waits until every node in {@code side} lists exactly the nodes of {@code side}; says what each answered. */
    public void awaitOneView(Duration timeout, Collection<Integer> side) throws InterruptedException {
        List<String> expected = side.stream().sorted().map(i -> "n" + i).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (side.stream().allMatch(i -> members(i).equals(expected))) {
                return;
            }
            Thread.sleep(200);
        }
        StringBuilder seen = new StringBuilder();
        for (int i : side) {
            String answer;
            try {
                Http.Reply reply = http(i).get("/api/cluster");
                answer = reply.status() + " " + reply.text();
            } catch (RuntimeException e) {
                answer = e.toString();
            }
            seen.append('\n').append("n").append(i).append(": ").append(answer);
        }
        throw new AssertionError("the nodes did not all see " + expected + " within " + timeout + seen);
    }

    /** Creates a Deribit client through node {@code number} with one channel. */
    public void createClient(int number, ExchangeSimulator simulator, String name, String channel) {
        createClient(number, simulator, "deribit", name, channel);
    }

    /** Creates a client of {@code platform} (deribit, binance) through node {@code number} with one channel. */
    public void createClient(int number, ExchangeSimulator simulator, String platform, String name, String channel) {
        String url = platform.equals("binance") ? simulator.binanceUrl() : simulator.deribitUrl();
        Http.Reply created = http(number)
                .post(
                        "/api/clients",
                        "{\"name\":\"" + name + "\",\"platform\":\"" + platform + "\",\"url\":\"" + url
                                + "\",\"channels\":[\"" + channel + "\"]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    /**
     * From now on, samples the exchange every 100 ms and records each sample in which it held more than one session
     * subscribed to one of {@code channels} (each channel is one client's): {@link #doubleSessions()}.
     */
    public void watchForDoubleSessions(ExchangeSimulator simulator, Collection<String> channels) {
        sampler.scheduleWithFixedDelay(
                () -> {
                    for (String channel : channels) {
                        if (simulator.subscribers(channel) > 1) {
                            doubleSessions.add(channel + " at " + System.currentTimeMillis());
                        }
                    }
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
    }

    /** The samples in which the exchange held two sessions of one client. */
    public List<String> doubleSessions() {
        return List.copyOf(doubleSessions);
    }

    /**
     * Reads a consumer's stream until the first message flagged {@code gap: true} (the stream resumed after an outage)
     * and a second more, then asserts {@link #assertNoDuplicatesAndEveryGapFlagged} on everything read, the messages
     * queued before the outage included. Fails when no flagged message arrives within {@code timeout}: a consumer that
     * went silent (its node no longer told the data) fails here rather than passing on old events.
     */
    public static void assertResumedWithTheGapFlagged(SseStream data, Duration timeout) throws InterruptedException {
        List<SseStream.Event> events = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean flagged = false;
        while (!flagged && System.nanoTime() < deadline) {
            List<SseStream.Event> more = data.drain(Duration.ofMillis(200));
            events.addAll(more);
            flagged = more.stream().anyMatch(e -> e.json().path("gap").asBoolean());
        }
        events.addAll(data.drain(Duration.ofSeconds(1)));
        assertThat(assertNoDuplicatesAndEveryGapFlagged(events))
                .as("messages flagged gap: true within %s (of %s read)", timeout, events.size())
                .isPositive();
    }

    /**
     * Asserts what a consumer must see across a failover: sequences that only grow (no duplicate), and every jump
     * flagged {@code gap: true} on the message after it. Returns how many messages were flagged, so that a test whose
     * consumer must have seen an outage can say so (an empty or pre-outage list passes the checks above).
     */
    public static int assertNoDuplicatesAndEveryGapFlagged(List<SseStream.Event> events) {
        int flagged = 0;
        long previous = -1;
        for (SseStream.Event event : events) {
            JsonNode message = event.json();
            long sequence = message.path("sequence").asLong();
            if (message.path("gap").asBoolean()) {
                flagged++;
            }
            if (previous >= 0) {
                assertThat(sequence).as("sequence after %s", previous).isGreaterThan(previous);
                if (sequence != previous + 1) {
                    assertThat(message.path("gap").asBoolean())
                            .as("the jump from %s to %s is flagged", previous, sequence)
                            .isTrue();
                }
            }
            previous = sequence;
        }
        return flagged;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        Fixtures.close(nodes.toArray(AutoCloseable[]::new));
    }
}
