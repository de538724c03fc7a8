package dev.nova.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ClusterPorts;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * How long a subscription takes to cross a bridge: two clusters of one Liberty node each ({@code us}, {@code eu}),
 * bridged on loopback with a bridge secret. A subscription is made on us, eu is polled until it lists it ({@code
 * GET /api/subscriptions?cluster=us&client=…}), then it is deleted and eu polled until it is gone; {@link #SAMPLES}
 * of each per run, one at a time. The delay is read from the nodes' own clocks (the same machine's): the
 * subscription's {@code createdAt} on us, and eu's {@code lastUpdateAt} for us (when a change from us last arrived).
 * A poll takes longer than the delay itself, so the time until a listing shows it is printed beside, not used.
 */
final class BridgeBench {

    static final int SAMPLES = 300;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String SECRET = "bench-bridge-secret-" + UUID.randomUUID();

    private BridgeBench() {}

    static void run(Report report, int runs) throws Exception {
        String suffix = Long.toString(System.nanoTime());
        String us = "bench-us-" + suffix;
        String eu = "bench-eu-" + suffix;
        int usPort = ClusterPorts.allocate(1);
        int euPort = ClusterPorts.allocate(1);
        int bridge = ClusterPorts.allocate(2);
        String hosts = "127.0.0.1[" + bridge + "],127.0.0.1[" + (bridge + 1) + "]";
        List<LibertyNode> nodes = new ArrayList<>();
        try (ExchangeSimulator simulator =
                ExchangeSimulator.start(SimulatorOptions.defaults().messagesPerSecond(1))) {
            nodes.addAll(LibertyNode.awaitAll(
                    List.of(
                            CompletableFuture.supplyAsync(() -> start("bbus", us, eu, usPort, bridge, hosts)),
                            CompletableFuture.supplyAsync(() -> start("bbeu", eu, us, euPort, bridge + 1, hosts))),
                    WAIT));
            Http onUs = nodes.get(0).http();
            Http onEu = nodes.get(1).http();
            await(() -> online(onUs, eu) && online(onEu, us));
            Http.Reply created = onUs.post(
                    "/api/clients",
                    "{\"name\":\"bb\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl() + "\"}");
            if (created.status() != 201) {
                throw new IllegalStateException(created.text());
            }
            String listing = "/api/subscriptions?cluster=" + us + "&client=bb";
            List<Double> createP50 = new ArrayList<>();
            List<Double> createP99 = new ArrayList<>();
            List<Double> deleteP50 = new ArrayList<>();
            List<Double> deleteP99 = new ArrayList<>();
            List<Double> seenP50 = new ArrayList<>();
            List<Double> poll = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                List<Double> create = new ArrayList<>();
                List<Double> delete = new ArrayList<>();
                List<Double> seen = new ArrayList<>();
                List<Double> polls = new ArrayList<>();
                for (int i = 0; i < SAMPLES; i++) {
                    Http.Reply made = onUs.post(
                            "/api/clients/bb/subscriptions",
                            "{\"channels\":[\"trades.BB" + run + "X" + i + "-PERPETUAL.raw\"]}");
                    long answered = System.nanoTime();
                    if (made.status() != 201) {
                        throw new IllegalStateException(made.text());
                    }
                    JsonNode subscription = made.json().path("subscriptions").get(0);
                    String id = subscription.path("id").asText();
                    seen.add(until(() -> lists(onEu, listing, id, polls), answered));
                    // Both clocks are this machine's: made on us at createdAt, arrived at eu at lastUpdateAt.
                    long createdAt = subscription.path("createdAt").asLong();
                    create.add((double) (arrivedSince(onEu, us, createdAt) - createdAt));
                    long deleting = System.currentTimeMillis();
                    if (onUs.delete("/api/clients/bb/subscriptions/" + id).status() != 204) {
                        throw new IllegalStateException("the delete of " + id + " failed");
                    }
                    until(() -> !lists(onEu, listing, id, polls), System.nanoTime());
                    delete.add((double) (arrivedSince(onEu, us, deleting) - deleting));
                }
                createP50.add(Stats.percentile(create, 50));
                createP99.add(Stats.percentile(create, 99));
                deleteP50.add(Stats.percentile(delete, 50));
                deleteP99.add(Stats.percentile(delete, 99));
                seenP50.add(Stats.percentile(seen, 50));
                poll.add(Stats.percentile(polls, 50));
                System.out.printf(
                        "[bench]   bridge round %d: create p50 %.0f ms p99 %.0f ms, delete p50 %.0f ms p99 %.0f ms;"
                                + " listed by the other after the API's answer p50 %.1f ms, one poll p50 %.1f ms%n",
                        run + 1,
                        createP50.get(run),
                        createP99.get(run),
                        deleteP50.get(run),
                        deleteP99.get(run),
                        seenP50.get(run),
                        poll.get(run));
            }
            String how = SAMPLES + " one at a time per run: createdAt on one cluster → lastUpdateAt on the other"
                    + " (both this machine's clock, 1 ms resolution)";
            report.add("subscription across a bridge, p50", "ms", createP50, how);
            report.add("  the same, p99", "ms", createP99, "");
            report.add(
                    "  a delete across a bridge, p50",
                    "ms",
                    deleteP50,
                    "the DELETE sent → lastUpdateAt on the other (includes the API call)");
            report.add("  the same, p99", "ms", deleteP99, "");
            report.add(
                    "  a new subscription listed by the other cluster, p50",
                    "ms",
                    seenP50,
                    "the API's answer → the first listing of the other cluster that has it");
            report.add("  one poll of the other cluster's listing, p50", "ms", poll, "");
        } finally {
            Fixtures.close(nodes.toArray(AutoCloseable[]::new));
        }
    }

    /** Whether the other cluster lists subscription {@code id}; records how long the look took. */
    private static boolean lists(Http on, String listing, String id, List<Double> polls) {
        long start = System.nanoTime();
        JsonNode list = on.get(listing).json();
        polls.add((System.nanoTime() - start) / 1e6);
        for (JsonNode subscription : list) {
            if (subscription.path("id").asText().equals(id)) {
                return true;
            }
        }
        return false;
    }

    /** Milliseconds from {@code since} until {@code condition} holds, polled back to back. */
    private static double until(BooleanSupplier condition, long since) {
        long deadline = since + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + WAIT);
            }
        }
        return (System.nanoTime() - since) / 1e6;
    }

    /**
     * When the node received the change from {@code cluster} made at {@code since} or later (epoch ms): its {@code
     * lastUpdateAt} once that is no older than {@code since} (a listing can show a change a moment before the
     * node's time of it is read back).
     */
    private static long arrivedSince(Http on, String cluster, long since) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long at = lastUpdateAt(on, cluster);
        while (at < since) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no change from " + cluster + " recorded since " + since);
            }
            at = lastUpdateAt(on, cluster);
        }
        return at;
    }

    /** When the node last received a change from {@code cluster} (epoch ms). */
    private static long lastUpdateAt(Http on, String cluster) {
        for (JsonNode bridge : on.get("/api/cluster").json().path("bridges")) {
            if (bridge.path("cluster").asText().equals(cluster)) {
                return bridge.path("lastUpdateAt").asLong();
            }
        }
        throw new IllegalStateException("no bridge to " + cluster);
    }

    private static boolean online(Http on, String cluster) {
        for (JsonNode bridge : on.get("/api/cluster").json().path("bridges")) {
            if (bridge.path("cluster").asText().equals(cluster)) {
                return bridge.path("status").asText().equals("online");
            }
        }
        return false;
    }

    private static LibertyNode start(
            String name, String cluster, String other, int port, int bridgePort, String hosts) {
        Map<String, String> env = new HashMap<>();
        env.put("NOVA_CLUSTER_NAME", cluster);
        env.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(port));
        env.put("NOVA_CLUSTER_FD_PORT_OFFSET", Integer.toString(ClusterPorts.FD_OFFSET));
        env.put("NOVA_CLUSTER_INITIAL_HOSTS", "127.0.0.1[" + port + "]");
        env.put("NOVA_CLUSTER_BRIDGE_CLUSTERS", other);
        env.put("NOVA_CLUSTER_BRIDGE_BIND_PORT", Integer.toString(bridgePort));
        env.put("NOVA_CLUSTER_BRIDGE_INITIAL_HOSTS", hosts);
        env.put("NOVA_CLUSTER_BRIDGE_SECRET", SECRET);
        return LibertyNode.start(name, env, LibertyNode.freePort());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + WAIT);
            }
            Thread.sleep(100);
        }
    }
}
