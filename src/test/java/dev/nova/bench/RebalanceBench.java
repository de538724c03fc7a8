package dev.nova.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ClusterPorts;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.SseStream;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * {@code least_connections} after a node joins: two nodes run 100 Deribit clients (one channel each, 10 messages per
 * second); a third joins; the figures are the time from its joining the view until no member is a whole client above
 * the mean (34/34/32: the rule of least_connections), the
 * moves the coordinator made, and what a consumer of all 100 channels on n1 lost or saw twice meanwhile (goal 0).
 * Rebalance interval 5 s, max imbalance 0 (so the loads end within a client of the mean), 50 moves a round: the joiner counts 5 s after it
 * joined, so 5 s of the time is that wait.
 */
final class RebalanceBench {

    static final int CLIENTS = 100;
    private static final long INTERVAL_MS = 5_000;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Pattern MOVES = Pattern.compile("^(\\d+) move\\(s\\)");

    private RebalanceBench() {}

    static void run(Report report, int runs) throws Exception {
        List<Double> balanced = new ArrayList<>();
        List<Double> moves = new ArrayList<>();
        List<Double> lost = new ArrayList<>();
        List<Double> duplicates = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            double[] figures = round();
            balanced.add(figures[0]);
            moves.add(figures[1]);
            lost.add(figures[2]);
            duplicates.add(figures[3]);
            System.out.printf(
                    "[bench]   rebalance round %d: balanced %.2f s after the join, %.0f moves, %.0f messages lost,"
                            + " %.0f duplicates%n",
                    run + 1, figures[0], figures[1], figures[2], figures[3]);
        }
        report.add(
                "rebalance after a node joins two running 100 clients: balanced",
                "s",
                balanced,
                "the joiner in the view → the rebalance.completed that leaves no member a client above the mean;"
                        + " 5 s of it is the wait before a joiner counts");
        report.add("  the same, moves", "moves", moves, "32 by the rule: 50/50/0 → 34/34/32");
        report.add("  the same, messages lost by a consumer of every channel", "messages", lost, "goal 0");
        report.add("  the same, messages delivered twice", "messages", duplicates, "goal 0");
    }

    private static double[] round() throws Exception {
        int base = ClusterPorts.allocate(3);
        Map<String, String> common = BenchNodes.cluster("bench-rebalance", base, 3);
        common.put("NOVA_LOADBALANCING_STRATEGY", "least_connections");
        common.put("NOVA_LOADBALANCING_REBALANCE_INTERVAL", Long.toString(INTERVAL_MS));
        common.put("NOVA_LOADBALANCING_MAX_MOVES", "50");
        common.put("NOVA_LOADBALANCING_MAX_IMBALANCE", "0");
        common.put("JVM_ARGS", "-Xmx1g");
        List<LibertyNode> nodes = new ArrayList<>();
        try (ExchangeSimulator simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(10).connectionLimit(1_000_000, Duration.ofMinutes(5)))) {
            List<CompletableFuture<LibertyNode>> starting = List.of(
                    CompletableFuture.supplyAsync(() -> BenchNodes.start(common, base, 1, "rb")),
                    CompletableFuture.supplyAsync(() -> BenchNodes.start(common, base, 2, "rb")));
            nodes.addAll(LibertyNode.awaitAll(starting, WAIT));
            Http n1 = nodes.get(0).http();
            BenchNodes.await(() -> n1.get("/api/cluster").json().path("nodes").size() == 2);
            StringBuilder query = new StringBuilder("/api/stream?");
            for (int c = 0; c < CLIENTS; c++) {
                Http.Reply created = n1.post(
                        "/api/clients",
                        "{\"name\":\"rb-" + c + "\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                                + "\",\"channels\":[\"" + channel(c) + "\"]}");
                if (created.status() != 201) {
                    throw new IllegalStateException(created.text());
                }
                query.append(c == 0 ? "" : "&").append("channel=").append(channel(c));
            }
            BenchNodes.await(
                    () -> StreamSupport.stream(n1.get("/api/clients").json().spliterator(), false)
                            .allMatch(c -> c.path("state").asText().equals("CONNECTED")));
            try (SseStream data = new SseStream(n1.uri(query.toString()));
                    SseStream events = new SseStream(n1.uri("/api/events?type=nova.cluster.rebalance.completed"))) {
                data.next(WAIT);
                nodes.add(BenchNodes.start(common, base, 3, "rb"));
                BenchNodes.await(
                        () -> n1.get("/api/cluster").json().path("nodes").size() == 3);
                long joined = System.nanoTime();
                int moved = 0;
                while (!balanced(n1)) {
                    Matcher m = MOVES.matcher(
                            events.next(WAIT).json().path("detail").asText());
                    moved += m.find() ? Integer.parseInt(m.group(1)) : 0;
                }
                double seconds = (System.nanoTime() - joined) / 1e9;
                System.out.printf("[bench]   loads after: %s%n", loads(n1));
                long[] faults = faults(data.drain(Duration.ofSeconds(2)));
                return new double[] {seconds, moved, faults[0], faults[1]};
            }
        } finally {
            Fixtures.close(nodes.toArray(AutoCloseable[]::new));
        }
    }

    /** Messages missing between consecutive ones of a channel, and messages seen twice. */
    private static long[] faults(List<SseStream.Event> received) {
        Map<String, Long> last = new HashMap<>();
        long missing = 0;
        long twice = 0;
        for (SseStream.Event event : received) {
            JsonNode message = event.json();
            long sequence = message.path("sequence").asLong();
            Long before = last.put(message.path("channel").asText(), sequence);
            if (before != null && sequence <= before) {
                twice++;
                last.put(message.path("channel").asText(), before);
            } else if (before != null) {
                missing += sequence - before - 1;
            }
        }
        return new long[] {missing, twice};
    }

    private static Map<String, Integer> loads(Http on) {
        Map<String, Integer> loads = new java.util.TreeMap<>();
        for (JsonNode node : on.get("/api/cluster").json().path("nodes")) {
            loads.put(node.path("name").asText(), node.path("load").asInt());
        }
        return loads;
    }

    /** As the rebalancer judges it with max-imbalance 0: no member a whole client above the mean (34/34/32 is). */
    private static boolean balanced(Http on) {
        Map<String, Integer> loads = loads(on);
        int max = loads.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return loads.size() == 3 && max - CLIENTS / 3.0 < 1;
    }

    private static String channel(int client) {
        return "trades.RB" + client + "-PERPETUAL.raw";
    }
}
