package dev.nova.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ClusterPorts;
import dev.nova.it.support.Fixtures;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;

/**
 * Fan-out: a cluster of three nodes runs 20 Deribit clients, one trade channel each, fed by the simulator at 100
 * messages per second per channel (2,000 in); SSE consumers spread evenly over the three nodes each read one of the
 * channels (consumer i reads channel i mod 20 on node i mod 3), all of them read by one thread of this JVM ({@link
 * FanIn}). For 100 and 1,000 consumers: deliveries per second, latency exchange → consumer (p50, p99, max), CPU per
 * delivery on each node, and the consumers Nova dropped. First, in the same run, the floor: the same consumers read
 * from a {@link BareGateway} in this JVM, which writes each message to each of its streams at once.
 */
final class FanOutBench {

    static final int CHANNELS = 20;
    static final int RATE = 100;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Duration WARM_UP = Duration.ofSeconds(10);
    private static final Duration MEASURED = Duration.ofSeconds(20);

    private FanOutBench() {}

    static void run(Report report, int runs, String nodeJvmArgs) throws Exception {
        int base = ClusterPorts.allocate(3);
        Map<String, String> common = BenchNodes.cluster("bench-fanout", base, 3);
        common.put("NOVA_LOADBALANCING_STRATEGY", "least_connections");
        common.put("JVM_ARGS", nodeJvmArgs);
        List<LibertyNode> nodes = new ArrayList<>();
        try (ExchangeSimulator simulator = ExchangeSimulator.start(
                SimulatorOptions.defaults().messagesPerSecond(RATE).stampNanos(true))) {
            // Before the nodes start: they would use CPU for the feed meanwhile (their clients read it).
            floor(report, simulator, runs);
            List<CompletableFuture<LibertyNode>> starting = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                int number = n;
                starting.add(CompletableFuture.supplyAsync(() -> BenchNodes.start(common, base, number, "fan")));
            }
            nodes.addAll(LibertyNode.awaitAll(starting, WAIT));
            Http n1 = nodes.get(0).http();
            BenchNodes.await(() -> n1.get("/api/cluster").json().path("nodes").size() == 3);
            for (int c = 0; c < CHANNELS; c++) {
                Http.Reply created = n1.post(
                        "/api/clients",
                        "{\"name\":\"fan-" + c + "\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                                + "\",\"channels\":[\"" + channel(c) + "\"]}");
                if (created.status() != 201) {
                    throw new IllegalStateException(created.text());
                }
            }
            BenchNodes.await(
                    () -> StreamSupport.stream(n1.get("/api/clients").json().spliterator(), false)
                            .filter(c -> c.path("name").asText().startsWith("fan-"))
                            .allMatch(c -> c.path("state").asText().equals("CONNECTED")));
            Map<String, Integer> owners = new TreeMap<>();
            for (JsonNode client : n1.get("/api/clients").json()) {
                owners.merge(client.path("owner").asText(), 1, Integer::sum);
            }
            System.out.println("[bench]   fan-out clients by owner: " + owners);
            // Not recorded: a minute with 100 consumers first, until the nodes' JIT compilers are done with the
            // delivery path (in a profile of a run without it, the C2 compiler threads took a third of a node's CPU).
            // Not with 1,000: the nodes could not keep up with those, and the backlog they built up (messages
            // 100 s old) was still being delivered during the runs with 100 that followed.
            measure(nodes, 100, new LinkedHashMap<>(), -1, Duration.ofSeconds(60));
            for (int consumers : new int[] {100, 1_000}) {
                Map<String, List<Double>> figures = new LinkedHashMap<>();
                for (int run = 0; run < runs; run++) {
                    measure(nodes, consumers, figures, run, MEASURED);
                }
                reportSize(report, consumers, figures, owners);
            }
        } finally {
            Fixtures.close(nodes.toArray(AutoCloseable[]::new));
        }
    }

    /**
     * The fan-out floor: a gateway that does the least work per delivery, one write. One process, no cluster, no
     * Liberty: plain Tyrus sessions read the 20 channels and write every message to each of its SSE streams, one
     * blocking socket write per delivery, on the thread that read it ({@link BareGateway}); the same {@link FanIn}
     * reads them. Its CPU per delivery (its Tyrus threads), latency and rate sit beside Nova's.
     */
    private static void floor(Report report, ExchangeSimulator simulator, int runs) throws Exception {
        try (BareGateway floor = new BareGateway(true)) {
            for (int c = 0; c < CHANNELS; c++) {
                floor.subscribe(simulator.deribitUrl(), channel(c));
            }
            BenchNodes.await(() -> {
                for (int c = 0; c < CHANNELS; c++) {
                    if (simulator.subscribers(channel(c)) < 1) {
                        return false;
                    }
                }
                return true;
            });
            List<URI> warmUp = floorStreams(floor, 100);
            floorRun(floor, warmUp, new LinkedHashMap<>(), -1);
            for (int consumers : new int[] {100, 1_000}) {
                Map<String, List<Double>> figures = new LinkedHashMap<>();
                for (int run = 0; run < runs; run++) {
                    floorRun(floor, floorStreams(floor, consumers), figures, run);
                }
                String label = "fan-out floor, " + String.format("%,d", consumers) + " SSE consumers of one process";
                report.add(
                        label + ", deliveries",
                        "/s",
                        figures.get("rate"),
                        String.format("%,.0f expected", (double) consumers * RATE));
                reportArrival(report, label, figures, "", "the same consumer as below", "");
                report.add(
                        label + ", CPU per delivery",
                        "µs",
                        figures.get("cpu"),
                        "its Tyrus threads, which read and write: one socket write per delivery, nothing else");
                reportConsumer(report, label, figures, "FanIn, as below");
            }
        }
    }

    private static List<URI> floorStreams(BareGateway floor, int consumers) {
        List<URI> streams = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            streams.add(floor.streamUri(channel(i % CHANNELS)));
        }
        return streams;
    }

    /** One run of the floor, as {@link #measure}; run -1 warms up (30 s more before its window, not recorded). */
    private static void floorRun(BareGateway floor, List<URI> streams, Map<String, List<Double>> figures, int run)
            throws Exception {
        long harness = ProcessHandle.current().pid();
        try (FanIn fanIn = new FanIn(streams)) {
            if (!fanIn.awaitOpen(120)) {
                throw new IllegalStateException("not every floor stream opened within 120 s");
            }
            Thread.sleep(run < 0 ? 30_000 : WARM_UP.toMillis());
            long[] before = new long[streams.size()];
            for (int i = 0; i < before.length; i++) {
                before[i] = fanIn.delivered(i);
            }
            ThreadCpu.Snapshot cpuBefore = ThreadCpu.Snapshot.of(harness);
            Window window = Window.measure(fanIn, MEASURED);
            double seconds = window.seconds();
            double[] latency = window.latency();
            Map<String, ThreadCpu.Times> used =
                    ThreadCpu.Snapshot.of(harness).since(cpuBefore, FanOutBench::floorThreadGroup);
            long total = 0;
            for (int i = 0; i < before.length; i++) {
                total += fanIn.delivered(i) - before[i];
            }
            long deliveries = Math.max(1, total);
            ThreadCpu.Times gateway = used.getOrDefault("floor", new ThreadCpu.Times(0, 0));
            double micros = gateway.runNanos() / 1000.0 / deliveries;
            window.addArrival(figures, total, fanIn.dropped());
            add(figures, "cpu", micros);
            String consumer = addConsumer(figures, used.get("fan-in"), deliveries, window.reads());
            System.out.printf(
                    "[bench]   fan-out floor, %d consumers, %s: %.0f deliveries/s, p50 %.2f p99 %.2f max %.1f ms,"
                            + " dropped %d; CPU per delivery %.2f µs (%.0f %% of a core)%s%n",
                    streams.size(),
                    run < 0 ? "warm-up" : "run " + (run + 1),
                    total / seconds,
                    latency[0],
                    latency[1],
                    latency[2],
                    fanIn.dropped(),
                    micros,
                    100.0 * gateway.runNanos() / (seconds * 1e9),
                    consumer);
        }
    }

    /** One measured window of the consumer: its length, latency ({@code [p50, p99, max]} in ms) and reads. */
    private record Window(double seconds, double[] latency, long reads) {

        /** Records the consumer's latencies for {@code length}, from now. */
        static Window measure(FanIn fanIn, Duration length) throws InterruptedException {
            long readsBefore = fanIn.reads();
            fanIn.startRecording();
            long start = System.nanoTime();
            Thread.sleep(length.toMillis());
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Window(seconds, fanIn.latencyMillis(), fanIn.reads() - readsBefore);
        }

        /** The window's rate (of {@code total} deliveries), latency and the consumers dropped. */
        void addArrival(Map<String, List<Double>> figures, long total, long dropped) {
            add(figures, "rate", total / seconds);
            add(figures, "p50", latency[0]);
            add(figures, "p99", latency[1]);
            add(figures, "max", latency[2]);
            add(figures, "dropped", (double) dropped);
        }
    }

    /**
     * The consumer's figures of one run: its CPU per delivery, the events a read found (fewer reads, less CPU: the
     * consumer gathers what arrived while it was busy), and the share of its runnable time it waited for a core.
     */
    private static String addConsumer(
            Map<String, List<Double>> figures, ThreadCpu.Times consumer, long deliveries, long reads) {
        ThreadCpu.Times times = consumer == null ? new ThreadCpu.Times(0, 0) : consumer;
        double micros = ThreadCpu.microsPerMessage(times, deliveries);
        double perRead = (double) deliveries / Math.max(1, reads);
        double waiting = 100 * times.waitingShare();
        add(figures, "consumer", micros);
        add(figures, "per read", perRead);
        add(figures, "consumer waiting", waiting);
        return String.format(
                "; the consumer %.2f µs, %.2f events per read, waited for a core %.0f %% of its runnable time",
                micros, perRead, waiting);
    }

    /** The consumer's rows of one size. */
    private static void reportConsumer(Report report, String label, Map<String, List<Double>> f, String note) {
        report.add(label + ", CPU per delivery in the consumer", "µs", f.get("consumer"), note);
        report.add(label + ", events per read of the consumer", "events", f.get("per read"), "");
        report.add(
                label + ", consumer waiting for a core",
                "%",
                f.get("consumer waiting"),
                "share of the consumer thread's runnable time (/proc schedstat)");
    }

    /** The harness' threads during the floor: the gateway's Tyrus threads, the consumer, the rest. */
    private static String floorThreadGroup(String name) {
        if (name.startsWith("Grizzly(")) {
            return "floor";
        }
        return name.equals("fan-in") ? "fan-in" : "rest";
    }

    /** One run: opens the consumers, waits {@link #WARM_UP}, then measures for {@code measured}; run -1 warms up. */
    private static void measure(
            List<LibertyNode> nodes, int consumers, Map<String, List<Double>> figures, int run, Duration measured)
            throws Exception {
        List<URI> streams = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            Http node = nodes.get(i % nodes.size()).http();
            streams.add(URI.create(node.base() + "/api/stream?channel="
                    + URLEncoder.encode(channel(i % CHANNELS), StandardCharsets.UTF_8)));
        }
        try (FanIn fanIn = new FanIn(streams)) {
            if (!fanIn.awaitOpen(120)) {
                throw new IllegalStateException("not every SSE stream opened within 120 s");
            }
            Thread.sleep(WARM_UP.toMillis());
            long[] before = new long[consumers];
            for (int i = 0; i < consumers; i++) {
                before[i] = fanIn.delivered(i);
            }
            // The nodes' metrics are read outside the CPU window: what the reads cost is not a delivery's.
            double[] writesBefore = writes(nodes);
            List<ThreadCpu.Snapshot> cpuBefore = new ArrayList<>();
            long[] processBefore = new long[nodes.size()];
            for (int n = 0; n < nodes.size(); n++) {
                cpuBefore.add(ThreadCpu.Snapshot.of(nodes.get(n).pid()));
                processBefore[n] = processCpuNanos(nodes.get(n).pid());
            }
            ThreadCpu.Snapshot harnessBefore =
                    ThreadCpu.Snapshot.of(ProcessHandle.current().pid());
            Window window = Window.measure(fanIn, measured);
            double seconds = window.seconds();
            double[] latency = window.latency();
            long[] perNode = new long[nodes.size()];
            long total = 0;
            long least = Long.MAX_VALUE;
            for (int i = 0; i < consumers; i++) {
                long got = fanIn.delivered(i) - before[i];
                perNode[i % nodes.size()] += got;
                total += got;
                least = Math.min(least, got);
            }
            window.addArrival(figures, total, fanIn.dropped());
            add(figures, "least", least / seconds);
            StringBuilder cpuLine = new StringBuilder();
            Map<String, Double> byGroup = new TreeMap<>();
            for (int n = 0; n < nodes.size(); n++) {
                Map<String, ThreadCpu.Times> groups =
                        ThreadCpu.Snapshot.of(nodes.get(n).pid()).since(cpuBefore.get(n), FanOutBench::threadGroup);
                // The process' CPU, which keeps what threads that ended in between used (the delivery pool lets
                // threads go); the groups see only the threads alive at the end.
                long runNanos = processCpuNanos(nodes.get(n).pid()) - processBefore[n];
                long seen = groups.values().stream()
                        .mapToLong(ThreadCpu.Times::runNanos)
                        .sum();
                if (runNanos > seen) {
                    groups.put("threads that ended", new ThreadCpu.Times(runNanos - seen, 0));
                }
                double micros = runNanos / 1000.0 / Math.max(1, perNode[n]);
                add(figures, "cpu n" + (n + 1), micros);
                cpuLine.append(String.format(
                        " n%d %.2f µs (%.0f %% of a core)", n + 1, micros, 100.0 * runNanos / (seconds * 1e9)));
                long deliveries = Math.max(1, total);
                groups.forEach(
                        (group, used) -> byGroup.merge(group, used.runNanos() / 1000.0 / deliveries, Double::sum));
            }
            double[] writesAfter = writes(nodes);
            double perWrite = (writesAfter[1] - writesBefore[1]) / Math.max(1, writesAfter[0] - writesBefore[0]);
            add(figures, "per write", perWrite);
            byGroup.forEach((group, micros) -> add(figures, "group " + group, micros));
            add(
                    figures,
                    "all nodes",
                    byGroup.values().stream().mapToDouble(Double::doubleValue).sum());
            cpuLine.append(String.format(", per delivery on the three nodes together: %s", groups(byGroup)));
            ThreadCpu.Times consumer = ThreadCpu.Snapshot.of(
                            ProcessHandle.current().pid())
                    .since(harnessBefore, name -> name.equals("fan-in") ? "fan-in" : "rest")
                    .get("fan-in");
            cpuLine.append(addConsumer(figures, consumer, Math.max(1, total), window.reads()));
            System.out.printf(
                    "[bench]   fan-out, %d consumers, %s: %.0f deliveries/s (slowest consumer %.1f/s),"
                            + " p50 %.2f p99 %.2f max %.1f ms, dropped %d, %.2f events per write; CPU per delivery:%s%n",
                    consumers,
                    run < 0 ? "warm-up" : "run " + (run + 1),
                    total / seconds,
                    least / seconds,
                    latency[0],
                    latency[1],
                    latency[2],
                    fanIn.dropped(),
                    perWrite,
                    cpuLine);
        }
    }

    private static void reportSize(
            Report report, int consumers, Map<String, List<Double>> f, Map<String, Integer> owners) {
        String label = "fan-out, " + String.format("%,d", consumers) + " SSE consumers on 3 nodes";
        double expected = (double) consumers * RATE;
        report.add(
                label + ", deliveries",
                "/s",
                f.get("rate"),
                String.format(
                        "%,.0f expected (%d channels × %d msg/s in); slowest consumer %s msg/s (median)",
                        expected, CHANNELS, RATE, Stats.format(Stats.median(f.get("least")))));
        reportArrival(report, label, f, "10 µs buckets", "goal ≤ 20 ms", "goal 0");
        report.add(
                label + ", events per write",
                "events",
                f.get("per write"),
                "SSE events a write to a consumer carried, on the three nodes together (their metrics)");
        for (int n = 1; n <= 3; n++) {
            report.add(
                    label + ", CPU per delivery on n" + n,
                    "µs",
                    f.get("cpu n" + n),
                    n == 1 ? "the node's whole CPU over its consumers' deliveries; clients by owner " + owners : "");
        }
        Map<String, Double> groups = new TreeMap<>();
        f.forEach((key, values) -> {
            if (key.startsWith("group ")) {
                groups.put(key.substring(6), Stats.median(values));
            }
        });
        report.add(
                label + ", CPU per delivery, the three nodes together",
                "µs",
                f.get("all nodes"),
                "by thread (medians): " + groups(groups));
        reportConsumer(report, label, f, "one thread reads every stream (FanIn), in the harness' JVM");
    }

    /** How the messages of one size arrived: latency p50, p99 and max, and the consumers dropped. */
    private static void reportArrival(
            Report report,
            String label,
            Map<String, List<Double>> f,
            String p50Note,
            String p99Note,
            String droppedNote) {
        report.add(label + ", latency exchange → consumer, p50", "ms", f.get("p50"), p50Note);
        report.add(label + ", latency exchange → consumer, p99", "ms", f.get("p99"), p99Note);
        report.add(label + ", latency exchange → consumer, max", "ms", f.get("max"), "");
        report.add(label + ", consumers dropped", "consumers", f.get("dropped"), droppedNote);
    }

    /** A process' CPU time so far, its ended threads' included (user and system, at the kernel's tick). */
    private static long processCpuNanos(long pid) {
        return ProcessHandle.of(pid)
                .flatMap(process -> process.info().totalCpuDuration())
                .map(Duration::toNanos)
                .orElse(0L);
    }

    /** The SSE writes of the three nodes together and the events they carried. */
    private static double[] writes(List<LibertyNode> nodes) {
        double[] sum = new double[2];
        for (LibertyNode node : nodes) {
            double[] one = BenchMain.streamWrites(node.http());
            sum[0] += one[0];
            sum[1] += one[1];
        }
        return sum;
    }

    /**
     * The node's threads by what they do: handing data to consumers, the cluster bus (JGroups), reading the exchange
     * (Tyrus), decoding and sequencing, the JIT compilers, the garbage collector, the rest (Liberty, Infinispan, timers).
     */
    static String threadGroup(String name) {
        String group = BenchMain.nodeThreadGroup(name);
        if (group.equals("reading") || group.equals("selector")) {
            return "exchange reading";
        }
        if (!group.equals("rest")) {
            return group;
        }
        if (name.startsWith("jgroups") || name.contains("Bundler") || name.startsWith("NioServer")) {
            return "cluster bus";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "jit";
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ")) {
            return "gc";
        }
        return "rest";
    }

    private static String groups(Map<String, Double> micros) {
        StringBuilder text = new StringBuilder();
        micros.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> text.append(text.isEmpty() ? "" : ", ")
                        .append(e.getKey())
                        .append(' ')
                        .append(Stats.format(e.getValue())));
        return text.append(" µs").toString();
    }

    private static void add(Map<String, List<Double>> figures, String key, double value) {
        figures.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private static String channel(int c) {
        return "trades.FAN" + c + "-PERPETUAL.raw";
    }
}
