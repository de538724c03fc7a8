package dev.nova.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ClusterPorts;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;

/**
 * A full-cluster restart with the records on disk (issue 23): three nodes run 100 Deribit clients of 100 persistent
 * subscriptions each (10,000); every node is stopped ({@code server stop}, all at once), then all are started at once.
 * The figures: the time from the start commands until every node has started, and until every client is live again
 * (a session at the exchange holding its 100 channels, and {@code CONNECTED} in the registry). Then the cost of
 * persistence: the registry's sync lag on this cluster, and on a cluster of its own that keeps its records in memory
 * only ({@code nova.cluster.data-dir=none}), each with the same 10,000 subscriptions loaded, in the same run.
 */
final class RestartBench {

    static final int CLIENTS = 100;
    static final int CHANNELS = 100;
    private static final Duration WAIT = Duration.ofMinutes(5);

    private RestartBench() {}

    static void run(Report report, int runs) throws Exception {
        try (ExchangeSimulator simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(0).connectionLimit(1_000_000, Duration.ofMinutes(5)))) {
            List<Double> started = new ArrayList<>();
            List<Double> live = new ArrayList<>();
            double[][] persisted = cluster(simulator, true, runs, started, live);
            double[][] memory = cluster(simulator, false, runs, null, null);
            report.add(
                    "full-cluster restart, 100 clients × 100 subscriptions on disk: every node started",
                    "s",
                    started,
                    "the three start commands → the last node's application started (Liberty's own start)");
            report.add(
                    "  the same: every client live again",
                    "s",
                    live,
                    "the start commands → the last client's new session holds its 100 channels and it is CONNECTED");
            List<Double> ratio50 = new ArrayList<>();
            List<Double> ratio99 = new ArrayList<>();
            for (int i = 0; i < persisted[0].length; i++) {
                ratio50.add(persisted[0][i] / memory[0][i]);
                ratio99.add(persisted[1][i] / memory[1][i]);
            }
            report.add(
                    "registry sync lag with the records on disk, p50",
                    "ms",
                    list(persisted[0]),
                    "10,000 subscriptions loaded");
            report.add("  the same, p99", "ms", list(persisted[1]), "");
            report.add(
                    "registry sync lag with the records in memory only, p50", "ms", list(memory[0]), "data-dir=none");
            report.add("  the same, p99", "ms", list(memory[1]), "");
            report.add("  cost of persistence on the sync lag, p50", "×", ratio50, "on disk / in memory, run by run");
            report.add("  the same, p99", "×", ratio99, "");
        }
    }

    private static List<Double> list(double[] values) {
        List<Double> list = new ArrayList<>();
        for (double value : values) {
            list.add(value);
        }
        return list;
    }

    /**
     * One cluster: the clients, {@code runs} sync-lag figures {p50s, p99s}, and (when the records are on disk and
     * {@code started} is given) {@code runs} full restarts.
     */
    private static double[][] cluster(
            ExchangeSimulator simulator, boolean onDisk, int runs, List<Double> started, List<Double> live)
            throws Exception {
        String label = onDisk ? "on disk" : "in memory";
        int base = ClusterPorts.allocate(3);
        Map<String, String> common = BenchNodes.cluster("bench-restart", base, 3);
        common.put("JVM_ARGS", "-Xmx1g");
        if (!onDisk) {
            common.put("NOVA_CLUSTER_DATA_DIR", "none");
        }
        List<LibertyNode> nodes = new ArrayList<>();
        try {
            nodes.addAll(startAll(common, base, null));
            Http n1 = nodes.get(0).http();
            BenchNodes.await(() -> n1.get("/api/cluster").json().path("nodes").size() == 3);
            String tag = onDisk ? "D" : "M";
            for (int c = 0; c < CLIENTS; c++) {
                StringBuilder channels = new StringBuilder();
                for (int s = 0; s < CHANNELS; s++) {
                    channels.append(s == 0 ? "" : ",")
                            .append("\"trades.RB")
                            .append(tag)
                            .append('C')
                            .append(c)
                            .append('X')
                            .append(s)
                            .append("-PERPETUAL.raw\"");
                }
                Http.Reply created = nodes.get(c % 3)
                        .http()
                        .post(
                                "/api/clients",
                                "{\"name\":\"rb" + tag + "-" + c + "\",\"platform\":\"deribit\",\"url\":\""
                                        + simulator.deribitUrl() + "\",\"channels\":[" + channels + "]}");
                if (created.status() != 201) {
                    throw new IllegalStateException(created.text());
                }
            }
            awaitLive(simulator, n1);
            System.out.printf("[bench]   %s: %d clients live%n", label, CLIENTS);
            double[][] lag = new double[2][runs];
            for (int run = 0; run < runs; run++) {
                JsonNode measured =
                        n1.post("/api/cluster/sync-lag?samples=500", "{}").json();
                lag[0][run] = measured.path("p50Ms").asDouble();
                lag[1][run] = measured.path("p99Ms").asDouble();
                System.out.printf(
                        "[bench]   sync lag, records %s: p50 %.2f ms, p99 %.2f ms%n", label, lag[0][run], lag[1][run]);
            }
            for (int run = 0; started != null && run < runs; run++) {
                LibertyNode.closeAll(nodes);
                BenchNodes.await(() -> simulator.sessions().isEmpty());
                long at = System.nanoTime();
                List<LibertyNode> again = startAll(common, base, nodes);
                double up = (System.nanoTime() - at) / 1e9;
                Http first = again.get(0).http();
                awaitLive(simulator, first);
                double all = (System.nanoTime() - at) / 1e9;
                started.add(up);
                live.add(all);
                System.out.printf(
                        "[bench]   restart %d: every node started %.1f s, every client live %.1f s after the start"
                                + " commands%n",
                        run + 1, up, all);
            }
            return lag;
        } finally {
            LibertyNode.closeAll(nodes);
        }
    }

    /** Starts the three nodes at once: new ones, or {@code again} restarted (the same names and output dirs). */
    private static List<LibertyNode> startAll(Map<String, String> common, int base, List<LibertyNode> again) {
        List<CompletableFuture<LibertyNode>> starting = new ArrayList<>();
        for (int number = 1; number <= 3; number++) {
            int n = number;
            starting.add(CompletableFuture.supplyAsync(() -> {
                if (again == null) {
                    return BenchNodes.start(common, base, n, "rs");
                }
                LibertyNode node = again.get(n - 1);
                node.restart();
                try {
                    return node.awaitStarted(WAIT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }));
        }
        try {
            return LibertyNode.awaitAll(starting, WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every client CONNECTED, and the exchange holds one session with all 100 channels for each. */
    private static void awaitLive(ExchangeSimulator simulator, Http on) throws InterruptedException {
        BenchNodes.await(() -> simulator.sessions().stream()
                        .filter(s -> s.channels().size() == CHANNELS)
                        .count()
                == CLIENTS);
        BenchNodes.await(() -> {
            try {
                JsonNode clients = on.get("/api/clients").json();
                return clients.size() == CLIENTS
                        && StreamSupport.stream(clients.spliterator(), false)
                                .allMatch(c -> c.path("state").asText().equals("CONNECTED"));
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }
}
