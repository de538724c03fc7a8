package dev.nova.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.ClusterPorts;
import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.ThreeNodes;
import dev.nova.platform.deribit.DecodeTiming;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.StreamSupport;

/**
 * Nova's benchmark harness: starts the exchange simulator and Liberty nodes from the build on loopback, measures
 * every figure of BENCHMARKS.md and prints the table (also written to {@code target/bench/results.md}). Each figure
 * is the median of several runs with min and max; where a ceiling exists it is measured in the same run.
 *
 * <p>System properties: {@code bench.runs} (default 3), {@code bench.failover-rounds} (10), {@code bench.only}
 * (comma list of {@code decode, ingest, latency, failover, mass-failover, sync, remote-ingest, ratelimit, rebalance,
 * bridge, fanout, memory, restart};
 * default all), {@code bench.ingest-connections} (which ingest cases: {@code 1,50} by default), {@code
 * bench.encryption} ({@code on}: the cluster secret set, as in production, the default; {@code off}: the cluster in
 * clear; {@code both}: the three-node figures once in clear, then once encrypted, in the same run).
 */
public final class BenchMain {

    private static final Duration WAIT = Duration.ofMinutes(3);
    /** The nodes' JVM options; {@code -Dbench.node-jvm-args=...} adds to them (e.g. a flight recording). */
    private static final String NODE_JVM_ARGS = ("-Xmx1g " + System.getProperty("bench.node-jvm-args", "")).trim();

    private final int runs = Integer.getInteger("bench.runs", 3);
    private final int failoverRounds = Integer.getInteger("bench.failover-rounds", 10);
    private final Set<String> only = new LinkedHashSet<>(Arrays.asList(System.getProperty(
                    "bench.only",
                    "decode,ingest,latency,failover,mass-failover,sync,remote-ingest,ratelimit,rebalance,bridge,fanout,"
                            + "memory,restart")
            .split(",")));
    /** Which ingest cases run: {@code -Dbench.ingest-connections=50} runs only the fifty-connection case. */
    private final Set<String> ingestConnections = new LinkedHashSet<>(
            Arrays.asList(System.getProperty("bench.ingest-connections", "1,50").split(",")));

    private final Report report;
    private ExchangeSimulator simulator;

    private BenchMain(Report report) {
        this.report = report;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.output", "target/bench")).resolve("results.md");
        String header =
                "Nova benchmark, " + Instant.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                        + System.getProperty("java.vm.name") + " " + System.getProperty("java.version");
        BenchMain bench = new BenchMain(new Report(out, header));
        int exit = 0;
        try {
            bench.run();
        } catch (Throwable e) {
            e.printStackTrace();
            exit = 1;
        }
        System.out.println();
        System.out.println(header);
        System.out.println(bench.report.table());
        System.out.println("[bench] written to " + out.toAbsolutePath());
        System.exit(exit);
    }

    private void run() throws Exception {
        simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .messagesPerSecond(0)
                .stampNanos(true)
                .credentials("bench-acct", "bench-secret")
                .credentials(CCXT_ACCOUNT, CCXT_SECRET)
                .outboxFrames(1 << 22));
        try {
            if (only.contains("decode")) {
                decode();
            }
            if (only.contains("ingest") || only.contains("ratelimit") || only.contains("sync")) {
                singleNode();
            }
            if (only.contains("latency")
                    || only.contains("failover")
                    || only.contains("mass-failover")
                    || only.contains("sync")
                    || only.contains("remote-ingest")
                    || only.contains("ratelimit")) {
                String encryption = System.getProperty("bench.encryption", "on");
                if (!List.of("on", "off", "both").contains(encryption)) {
                    throw new IllegalArgumentException("bench.encryption is on, off or both, not " + encryption);
                }
                if (!encryption.equals("on")) {
                    report.variant(encryption.equals("both") ? "cluster in clear" : "");
                    // An empty secret unsets the one every test node gets (LibertyNode): messages travel in clear.
                    threeNodes(Map.of("NOVA_CLUSTER_SECRET", ""));
                }
                if (!encryption.equals("off")) {
                    report.variant(encryption.equals("both") ? "cluster encrypted" : "");
                    threeNodes(Map.of());
                }
                report.variant("");
            }
            if (only.contains("rebalance")) {
                log("rebalance after a node joins (clusters of their own)");
                RebalanceBench.run(report, runs);
            }
            if (only.contains("bridge")) {
                log("subscriptions across a bridge (two clusters of their own)");
                BridgeBench.run(report, runs);
            }
            if (only.contains("fanout")) {
                log("fan-out to 100 and 1,000 SSE consumers (a cluster of its own)");
                FanOutBench.run(report, runs, NODE_JVM_ARGS);
            }
            if (only.contains("memory")) {
                memory();
            }
            if (only.contains("restart")) {
                log("full-cluster restart with the records on disk, and the sync lag on disk and in memory (clusters"
                        + " of their own)");
                RestartBench.run(report, runs);
            }
        } finally {
            simulator.close();
        }
    }

    // ---- in this JVM: the Deribit decode, Nova's scanner against Jackson ----

    /** The frames the blaster sends (a trade) and a book change, decoded a million times by each decoder. */
    private void decode() {
        log("decode");
        String trade = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
                + "\"trades.BTC-PERPETUAL.raw\",\"data\":[{\"trade_seq\":30289432,\"trade_id\":\"48079254\","
                + "\"timestamp\":1732748400000,\"tick_direction\":0,\"price\":5042.25,\"mark_price\":5041.8,"
                + "\"instrument_name\":\"BTC-PERPETUAL\",\"index_price\":5043.12,\"direction\":\"sell\","
                + "\"amount\":10.0}]}}";
        String book = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
                + "\"book.BTC-PERPETUAL.100ms\",\"data\":{\"type\":\"change\",\"timestamp\":1732748400000,"
                + "\"prev_change_id\":297217,\"instrument_name\":\"BTC-PERPETUAL\",\"change_id\":297218,"
                + "\"bids\":[[\"change\",5042.25,40.0]],\"asks\":[[\"delete\",5043.3,0.0]]}}}";
        for (String[] frame : new String[][] {{"trade notification", trade}, {"book change", book}}) {
            List<Double> scanner = new ArrayList<>();
            List<Double> jackson = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                double[] nanos = DecodeTiming.nanosPerFrame(frame[1], 1_000_000);
                scanner.add(nanos[0]);
                jackson.add(nanos[1]);
                ratios.add(nanos[1] / nanos[0]);
            }
            String label = "Deribit decode, " + frame[0] + " (" + frame[1].length() + " chars)";
            report.add(
                    label + ", Nova's scanner",
                    "ns",
                    scanner,
                    Stats.format(Stats.median(ratios)) + "× faster than Jackson in the same runs; one core, "
                            + "the harness's JVM");
            report.add(label + ", Jackson streaming parser", "ns", jackson, "");
        }
    }

    // ---- one node: ingest, rate-limit calls alone, sync lag alone ----

    private void singleNode() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("JVM_ARGS", NODE_JVM_ARGS);
        env.put("NOVA_STREAM_BUFFER_SIZE", "1000000");
        log("starting one node");
        try (LibertyNode node = LibertyNode.start("bench-single", env)) {
            node.awaitStarted(WAIT);
            Http http = node.http();
            if (only.contains("ingest")) {
                if (ingestConnections.contains("1")) {
                    ingest(node, 1, 1_000_000);
                }
                if (ingestConnections.contains("50")) {
                    ingest(node, 50, 20_000);
                }
            }
            if (only.contains("ratelimit")) {
                createClient(http, "rl-single", null, true);
                List<Double> p50 = new ArrayList<>();
                List<Double> p99 = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    double[] figures = checkLatency(http, "rl-single", 2000);
                    p50.add(figures[0]);
                    p99.add(figures[1]);
                }
                report.add("rate-limit check, 1 node, p50", "µs", p50, "budget held by the node itself");
                report.add("rate-limit check, 1 node, p99", "µs", p99, "");
            }
        }
    }

    /**
     * Simulator (blaster) to Nova to an SSE consumer on the same node, against bare Tyrus sessions reading the same
     * simulator: {@code connections} channels, one per client, {@code perConnection} messages blasted on each.
     */
    private static final int WARM_UP_BLASTS = 6;

    /** The peer's own Deribit account at the simulator: ccxt authenticates before it subscribes. */
    private static final String CCXT_ACCOUNT = "ccxt-acct";

    private static final String CCXT_SECRET = "ccxt-secret-0123456789";

    /** Whether the ccxt peer runs ({@code -Dbench.peer=false} leaves it out, e.g. where npm is not installed). */
    private final boolean peer = Boolean.parseBoolean(System.getProperty("bench.peer", "true"));

    /** The node's threads by what they do in an ingest run (names as the kernel keeps them, 15 characters). */
    static String nodeThreadGroup(String name) {
        if (name.startsWith("Grizzly(")) {
            return name.contains("Sel") ? "selector" : "reading";
        }
        if (name.startsWith("nova-inbound")) {
            return "frames";
        }
        if (name.startsWith("nova-delivery")) {
            return "delivery";
        }
        return "rest";
    }

    /** The harness' threads: the SSE consumers, the bare client's Tyrus threads, the simulator's writers. */
    private static String harnessThreadGroup(String name) {
        if (name.startsWith("sse ")) {
            return "consumer";
        }
        if (name.startsWith("Grizzly(")) {
            return name.contains("Sel") ? "bare selector" : "bare reading";
        }
        if (name.startsWith("deribit-")) {
            return "simulator";
        }
        if (name.startsWith("floor flush")) {
            return "bare writer";
        }
        return "rest";
    }

    private void ingest(LibertyNode node, int connections, int perConnection) throws Exception {
        log("ingest on " + connections + " connection(s)");
        Http http = node.http();
        long nodePid = node.pid();
        long harnessPid = ProcessHandle.current().pid();
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            String channel = "trades.IN" + connections + "X" + i + "-PERPETUAL.raw";
            channels.add(channel);
            createClient(http, "ingest-" + connections + "-" + i, channel, false);
        }
        for (int i = 0; i < connections; i++) {
            awaitActive(http, "ingest-" + connections + "-" + i);
        }
        List<String> bareChannels = new ArrayList<>();
        List<String> floorChannels = new ArrayList<>();
        List<String> peerInstruments = new ArrayList<>();
        List<String> peerChannels = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            String instrument = "CCXT" + connections + "X" + i + "-PERPETUAL";
            peerInstruments.add(instrument);
            peerChannels.add("trades." + instrument + ".raw");
        }
        try (BareTyrus bare = new BareTyrus();
                BareGateway floor = new BareGateway();
                CcxtPeer ccxt = peer
                        ? CcxtPeer.deribit(simulator.deribitUrl(), peerInstruments, CCXT_ACCOUNT, CCXT_SECRET)
                        : null) {
            for (int i = 0; i < connections; i++) {
                String channel = "trades.BARE" + connections + "X" + i + "-PERPETUAL.raw";
                bareChannels.add(channel);
                bare.subscribe(simulator.deribitUrl(), channel);
                String floorChannel = "trades.FLOOR" + connections + "X" + i + "-PERPETUAL.raw";
                floorChannels.add(floorChannel);
                floor.subscribe(simulator.deribitUrl(), floorChannel);
            }
            for (String channel : bareChannels) {
                awaitSubscribers(channel, 1);
            }
            for (String channel : floorChannels) {
                awaitSubscribers(channel, 1);
            }
            if (ccxt != null) {
                for (String channel : peerChannels) {
                    awaitSubscribers(channel, 1);
                }
            }
            List<SseReader> consumers = new ArrayList<>();
            List<SseReader> floorConsumers = new ArrayList<>();
            try {
                for (String channel : channels) {
                    consumers.add(new SseReader(streamUri(http, channel), null));
                }
                for (String channel : floorChannels) {
                    floorConsumers.add(new SseReader(floor.streamUri(channel), null));
                }
                List<Double> nova = new ArrayList<>();
                List<Double> tyrus = new ArrayList<>();
                List<Double> gateway = new ArrayList<>();
                List<Double> peerRates = new ArrayList<>();
                List<Double> peerCpu = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                Map<String, List<Double>> cpu = new LinkedHashMap<>();
                long total = (long) connections * perConnection;
                String prefix = "ingest-" + connections + "-";
                // Warm-up, not measured, until the JIT has compiled the hot paths of the node and of both readers:
                // with a single blast the node's compiler threads still took most of a core during the first run.
                for (int warm = 0; warm < WARM_UP_BLASTS; warm++) {
                    long before =
                            consumers.stream().mapToLong(SseReader::messages).sum();
                    blastAll(channels, perConnection);
                    awaitTotal(consumers, before + total);
                    long bareBefore = bare.messages();
                    blastAll(bareChannels, perConnection);
                    bare.awaitMessages(bareBefore + total, WAIT);
                    long floorBefore = floorConsumers.stream()
                            .mapToLong(SseReader::messages)
                            .sum();
                    blastAll(floorChannels, perConnection);
                    awaitTotal(floorConsumers, floorBefore + total);
                }
                // The peer's warm-up: two blasts (it reads several times slower than the others).
                for (int warm = 0; ccxt != null && warm < 2; warm++) {
                    long peerBefore = ccxt.messages();
                    blastAll(peerChannels, perConnection);
                    if (!ccxt.awaitMessages(peerBefore + total, WAIT)) {
                        throw new IllegalStateException("ccxt did not receive the warm-up blast");
                    }
                }
                double[] writesBefore = streamWrites(http);
                for (int run = 0; run < runs; run++) {
                    long before =
                            consumers.stream().mapToLong(SseReader::messages).sum();
                    long receivedBefore = received(http, prefix);
                    ThreadCpu.Snapshot nodeBefore = ThreadCpu.Snapshot.of(nodePid);
                    ThreadCpu.Snapshot harnessBefore = ThreadCpu.Snapshot.of(harnessPid);
                    long start = blastAll(channels, perConnection);
                    // The SSE consumers are the clock: polling Nova's REST API during the run would cost the
                    // node CPU (profiled at ~10 %). Its counters are read once afterwards to check it decoded all.
                    awaitTotal(consumers, before + total);
                    double rate = total / ((System.nanoTime() - start) / 1e9);
                    Map<String, ThreadCpu.Times> nodeUsed =
                            ThreadCpu.Snapshot.of(nodePid).since(nodeBefore, BenchMain::nodeThreadGroup);
                    Map<String, ThreadCpu.Times> harnessUsed =
                            ThreadCpu.Snapshot.of(harnessPid).since(harnessBefore, BenchMain::harnessThreadGroup);
                    long decoded = received(http, prefix) - receivedBefore;
                    if (decoded < total) {
                        throw new IllegalStateException("Nova's clients decoded " + decoded + " of " + total);
                    }

                    long bareBefore = bare.messages();
                    harnessBefore = ThreadCpu.Snapshot.of(harnessPid);
                    long bareStart = blastAll(bareChannels, perConnection);
                    if (!bare.awaitMessages(bareBefore + total, WAIT)) {
                        throw new IllegalStateException("bare Tyrus did not receive the blast");
                    }
                    double bareRate = total / ((System.nanoTime() - bareStart) / 1e9);
                    Map<String, ThreadCpu.Times> bareUsed =
                            ThreadCpu.Snapshot.of(harnessPid).since(harnessBefore, BenchMain::harnessThreadGroup);

                    long floorBefore = floorConsumers.stream()
                            .mapToLong(SseReader::messages)
                            .sum();
                    harnessBefore = ThreadCpu.Snapshot.of(harnessPid);
                    long floorStart = blastAll(floorChannels, perConnection);
                    awaitTotal(floorConsumers, floorBefore + total);
                    double floorRate = total / ((System.nanoTime() - floorStart) / 1e9);
                    Map<String, ThreadCpu.Times> floorUsed =
                            ThreadCpu.Snapshot.of(harnessPid).since(harnessBefore, BenchMain::harnessThreadGroup);
                    recordCpu(cpu, nodeUsed, harnessUsed, bareUsed, floorUsed, total);
                    String peerLine = "";
                    if (ccxt != null) {
                        long peerBefore = ccxt.messages();
                        ThreadCpu.Snapshot peerCpuBefore = ThreadCpu.Snapshot.of(ccxt.pid());
                        long peerStart = blastAll(peerChannels, perConnection);
                        if (!ccxt.awaitMessages(peerBefore + total, WAIT)) {
                            throw new IllegalStateException("ccxt did not receive the blast");
                        }
                        double peerRate = total / ((System.nanoTime() - peerStart) / 1e9);
                        ThreadCpu.Times peerUsed = ThreadCpu.Snapshot.of(ccxt.pid())
                                .since(peerCpuBefore, name -> "all")
                                .get("all");
                        peerRates.add(peerRate);
                        peerCpu.add(ThreadCpu.microsPerMessage(peerUsed, total));
                        peerLine = String.format(", ccxt %.0f msg/s", peerRate);
                    }
                    nova.add(rate);
                    tyrus.add(bareRate);
                    gateway.add(floorRate);
                    ratios.add(rate / bareRate);
                    log(String.format(
                            "  run %d: simulator → Nova → SSE consumer %.0f msg/s, bare Tyrus %.0f msg/s, bare"
                                    + " gateway %.0f msg/s%s",
                            run + 1, rate, bareRate, floorRate, peerLine));
                }
                if (consumers.stream().anyMatch(SseReader::dropped)) {
                    throw new IllegalStateException("Nova dropped a consumer during the ingest runs");
                }
                double[] writesAfter = streamWrites(http);
                log(String.format(
                        "  SSE events per write: %.1f",
                        (writesAfter[1] - writesBefore[1]) / Math.max(1, writesAfter[0] - writesBefore[0])));
                String label = connections == 1 ? "1 connection" : connections + " connections";
                report.add(
                        "ingest, " + label + ", simulator → Nova → SSE consumer on the node",
                        "msg/s",
                        nova,
                        "ratio to bare Tyrus in the same runs: " + Stats.format(Stats.median(ratios)) + " (min "
                                + Stats.format(Stats.min(ratios)) + "); every message decoded, sequenced and "
                                + "delivered, one SSE stream per channel");
                report.add(
                        "ingest, " + label + ", bare Tyrus client (the reference)",
                        "msg/s",
                        tyrus,
                        "reads and counts frames, on the same cores, right after Nova in each run");
                report.add(
                        "ingest, " + label + ", bare gateway (second reference)",
                        "msg/s",
                        gateway,
                        "bare Tyrus sessions that decode with Nova's decoder and write Nova's SSE events to one "
                                + "stream per channel (BareGateway), right after the bare client in each run");
                reportCpu(label, cpu);
                if (ccxt != null) {
                    report.add(
                            "ingest, " + label + ", ccxt watchTrades (the peer)",
                            "msg/s",
                            peerRates,
                            "ccxt " + CcxtPeer.version() + " on Node.js " + CcxtPeer.nodeVersion()
                                    + ", one watchTrades "
                                    + "loop per instrument, counting the trades it returns; its Deribit trade cache "
                                    + "fixed (BENCHMARKS.md); right after the bare gateway in each run");
                    report.add(
                            "ingest, " + label + ", CPU per message in ccxt",
                            "µs",
                            peerCpu,
                            "every thread of the Node.js process; Nova's node used "
                                    + Stats.format(Stats.median(cpu.get("node")) / Stats.median(peerCpu))
                                    + "× this per message (medians) and delivered each message to an SSE consumer");
                }
            } finally {
                consumers.forEach(SseReader::close);
                floorConsumers.forEach(SseReader::close);
            }
        }
        for (int i = 0; i < connections; i++) {
            http.delete("/api/clients/ingest-" + connections + "-" + i);
        }
    }

    /** One run's CPU per message by group (µs), and the reading threads' wait for a core (% of runnable time). */
    private static void recordCpu(
            Map<String, List<Double>> cpu,
            Map<String, ThreadCpu.Times> node,
            Map<String, ThreadCpu.Times> harness,
            Map<String, ThreadCpu.Times> bare,
            Map<String, ThreadCpu.Times> floor,
            long messages) {
        ThreadCpu.Times none = new ThreadCpu.Times(0, 0);
        ThreadCpu.Times nodeTotal = node.values().stream().reduce(none, ThreadCpu.Times::plus);
        ThreadCpu.Times bareClient =
                bare.getOrDefault("bare reading", none).plus(bare.getOrDefault("bare selector", none));
        Map<String, Double> run = new LinkedHashMap<>();
        run.put("node", ThreadCpu.microsPerMessage(nodeTotal, messages));
        for (String group : List.of("reading", "selector", "frames", "delivery", "rest")) {
            run.put(group, ThreadCpu.microsPerMessage(node.get(group), messages));
        }
        run.put("consumer", ThreadCpu.microsPerMessage(harness.get("consumer"), messages));
        run.put("simulator", ThreadCpu.microsPerMessage(harness.get("simulator"), messages));
        run.put("bare", ThreadCpu.microsPerMessage(bareClient, messages));
        run.put("bare simulator", ThreadCpu.microsPerMessage(bare.get("simulator"), messages));
        ThreadCpu.Times floorTotal = floor.getOrDefault("bare reading", none)
                .plus(floor.getOrDefault("bare selector", none))
                .plus(floor.getOrDefault("bare writer", none));
        run.put("floor", ThreadCpu.microsPerMessage(floorTotal, messages));
        run.put("floor consumer", ThreadCpu.microsPerMessage(floor.get("consumer"), messages));
        double nodeMicros = run.get("node");
        run.put("node/bare", nodeMicros / run.get("bare"));
        run.put("node/floor", nodeMicros / run.get("floor"));
        run.put("reading waits", 100 * node.getOrDefault("reading", none).waitingShare());
        run.put(
                "bare reading waits",
                100 * bare.getOrDefault("bare reading", none).waitingShare());
        run.forEach((k, v) -> cpu.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }

    private void reportCpu(String label, Map<String, List<Double>> cpu) {
        Function<String, String> median = key -> Stats.format(Stats.median(cpu.get(key)));
        report.add(
                "ingest, " + label + ", CPU per message in Nova's node",
                "µs",
                cpu.get("node"),
                "Tyrus reading " + median.apply("reading") + " + selector " + median.apply("selector")
                        + ", frame lanes " + median.apply("frames") + ", SSE delivery " + median.apply("delivery")
                        + ", rest of the node (GC, JIT, Liberty) " + median.apply("rest")
                        + "; beside it the SSE consumer "
                        + median.apply("consumer") + " and the simulator " + median.apply("simulator")
                        + "; Tyrus' reading threads waited for a core " + median.apply("reading waits")
                        + " % of the time they were runnable (/proc schedstat)");
        report.add(
                "ingest, " + label + ", CPU per message in the bare Tyrus client",
                "µs",
                cpu.get("bare"),
                "reading and selector threads; beside it the simulator " + median.apply("bare simulator")
                        + "; its reading threads waited for a core " + median.apply("bare reading waits") + " %; "
                        + "Nova's node used " + median.apply("node/bare") + "× this per message (min "
                        + Stats.format(Stats.min(cpu.get("node/bare"))) + ", max "
                        + Stats.format(Stats.max(cpu.get("node/bare"))) + "; goal ≤ 2×)");
        report.add(
                "ingest, " + label + ", CPU per message in the bare gateway",
                "µs",
                cpu.get("floor"),
                "reading, selector and flusher threads: read, decode, frame and write; beside it its SSE consumer "
                        + median.apply("floor consumer") + "; Nova's node used " + median.apply("node/floor")
                        + "× this per message: what Nova's own machinery costs beyond that work");
    }

    /**
     * Blasts every channel; returns the moment the encoded frames were handed to the simulator's sessions. Between
     * encoding and sending, this JVM collects its garbage: the encoded frames (hundreds of MB) otherwise set off G1's
     * concurrent marking here, which then took part of a core from the node while it was being measured.
     */
    private long blastAll(List<String> channels, int count) {
        Runnable send = simulator.prepareBlast(channels, count);
        System.gc();
        send.run();
        return System.nanoTime();
    }

    /** The node's SSE writes and the events they carried, from its metrics. */
    static double[] streamWrites(Http http) {
        double writes = 0;
        double events = 0;
        for (String line : http.get("/metrics?scope=application").text().split("\n")) {
            String[] parts = line.split(" ");
            if (line.startsWith("nova_stream_writes")) {
                writes = Double.parseDouble(parts[parts.length - 1]);
            } else if (line.startsWith("nova_stream_events_written")) {
                events = Double.parseDouble(parts[parts.length - 1]);
            }
        }
        return new double[] {writes, events};
    }

    /** What Nova's clients with this name prefix have received and dispatched, by their counters. */
    private static long received(Http http, String prefix) {
        long total = 0;
        for (JsonNode client : http.get("/api/clients").json()) {
            if (client.path("name").asText().startsWith(prefix)) {
                total += client.path("messagesReceived").asLong();
            }
        }
        return total;
    }

    private static void awaitTotal(List<SseReader> consumers, long total) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (consumers.stream().mapToLong(SseReader::messages).sum() < total) {
            if (System.nanoTime() > deadline || consumers.stream().anyMatch(SseReader::dropped)) {
                throw new IllegalStateException("the consumers received "
                        + consumers.stream().mapToLong(SseReader::messages).sum() + " of " + total);
            }
            Thread.sleep(1);
        }
    }

    /** Server-side latency of the seed's check: {@code calls} checks through the REST API, then the node's figures. */
    private static double[] checkLatency(Http http, String client, int calls) {
        http.post("/api/ratelimits/latency/reset", "{}");
        String body = "{\"operation\":\"subscribe\",\"client\":\"" + client + "\"}";
        for (int i = 0; i < calls; i++) {
            Http.Reply reply = http.post("/api/ratelimits/check", body);
            if (reply.status() != 200) {
                throw new IllegalStateException("check failed: " + reply.text());
            }
        }
        JsonNode check = http.get("/api/ratelimits/latency").json().path("check");
        return new double[] {check.path("p50Us").asDouble(), check.path("p99Us").asDouble()};
    }

    // ---- three nodes: latency, failover and transfer, sync lag, shared budgets ----

    private void threeNodes(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(extra);
        env.put("NOVA_EXCHANGES_DERIBIT_PRIMARY_REGION", ThreeNodes.REGIONS.get(0));
        env.put("NOVA_STREAM_BUFFER_SIZE", "100000");
        log("starting three nodes");
        // Without a cluster secret no client can hold credentials (they are kept sealed with a key derived from it).
        boolean credentials = !"".equals(env.get("NOVA_CLUSTER_SECRET"));
        try (ThreeNodes cluster = ThreeNodes.start(env, WAIT)) {
            if (!credentials && (only.contains("ratelimit") || only.contains("mass-failover"))) {
                log("ratelimit and mass-failover skipped in clear: their clients hold credentials");
            }
            if (only.contains("latency")) {
                latency(cluster);
            }
            if (only.contains("sync")) {
                syncLag(cluster);
            }
            if (only.contains("remote-ingest")) {
                remoteIngest(cluster);
            }
            if (only.contains("ratelimit") && credentials) {
                sharedBudgets(cluster);
            }
            if (only.contains("failover")) {
                transfer(cluster);
                failover(cluster);
            }
            if (only.contains("mass-failover") && credentials) {
                log("failover of a node with 100 clients and 10,000 subscriptions");
                MassFailover.run(cluster, report, runs);
            }
        }
    }

    /** Exchange to SSE consumer, on the owner node and on another node, at 500 messages per second. */
    private void latency(ThreeNodes cluster) throws Exception {
        log("latency");
        Http n1 = cluster.node(1).http();
        String channel = "trades.LAT-PERPETUAL.raw";
        createClient(n1, "latency", channel, false);
        awaitActive(n1, "latency");
        String owner = n1.get("/api/clients/latency").json().path("owner").asText();
        LibertyNode ownerNode = cluster.named(owner);
        LibertyNode otherNode =
                cluster.all().stream().filter(n -> n != ownerNode).findFirst().orElseThrow();
        List<Double> ownerP50 = new ArrayList<>();
        List<Double> ownerP99 = new ArrayList<>();
        List<Double> otherP50 = new ArrayList<>();
        List<Double> otherP99 = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            List<Double> onOwner = Collections.synchronizedList(new ArrayList<>());
            List<Double> onOther = Collections.synchronizedList(new ArrayList<>());
            try (SseReader a = new SseReader(streamUri(ownerNode.http(), channel), latencyTo(onOwner));
                    SseReader b = new SseReader(streamUri(otherNode.http(), channel), latencyTo(onOther))) {
                Thread.sleep(500);
                publishFor(channel, 500, Duration.ofSeconds(10));
                Thread.sleep(1000);
            }
            // The first second warms the path up; it is left out.
            List<Double> ownerSteady = onOwner.subList(Math.min(500, onOwner.size()), onOwner.size());
            List<Double> otherSteady = onOther.subList(Math.min(500, onOther.size()), onOther.size());
            ownerP50.add(Stats.percentile(ownerSteady, 50));
            ownerP99.add(Stats.percentile(ownerSteady, 99));
            otherP50.add(Stats.percentile(otherSteady, 50));
            otherP99.add(Stats.percentile(otherSteady, 99));
            log(String.format(
                    "  run %d: owner p50 %.2f p99 %.2f ms, other node p50 %.2f p99 %.2f ms (%d/%d messages)",
                    run + 1,
                    ownerP50.get(run),
                    ownerP99.get(run),
                    otherP50.get(run),
                    otherP99.get(run),
                    onOwner.size(),
                    onOther.size()));
        }
        report.add("latency exchange → SSE, owner node, p50", "ms", ownerP50, "500 msg/s, one channel");
        report.add("latency exchange → SSE, owner node, p99", "ms", ownerP99, "");
        report.add("latency exchange → SSE, other node, p50", "ms", otherP50, "one cluster-bus hop more");
        report.add("latency exchange → SSE, other node, p99", "ms", otherP99, "");
        n1.delete("/api/clients/latency");
    }

    private static SseReader.Listener latencyTo(List<Double> samples) {
        return (data, arrived) -> {
            long sent = SseReader.longField(data, "nanos");
            if (sent > 0) {
                samples.add((arrived - sent) / 1e6);
            }
        };
    }

    /** Publishes on a channel at a steady rate for a while (blocking). */
    private void publishFor(String channel, int perSecond, Duration duration) throws InterruptedException {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try {
            ticker.scheduleAtFixedRate(
                    () -> simulator.publish(channel, 1), 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
            Thread.sleep(duration.toMillis());
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The rate at which market data reaches a consumer on another node than the owner's: a blast on one channel,
     * carried by the cluster bus. Timed from the blast to the last message that arrived; what the bus dropped (a full
     * send buffer) is counted, and the rate is of what arrived.
     */
    private void remoteIngest(ThreeNodes cluster) throws Exception {
        log("remote ingest");
        Http n1 = cluster.node(1).http();
        String channel = "trades.RIN-PERPETUAL.raw";
        String owner = placed(n1, "remote-ingest", channel);
        LibertyNode elsewhere = notOwner(cluster, owner);
        Http ownerHttp = cluster.named(owner).http();
        int blast = 200_000;
        List<Double> rates = new ArrayList<>();
        List<Double> dropped = new ArrayList<>();
        AtomicLong lastArrival = new AtomicLong();
        try (SseReader remote =
                new SseReader(streamUri(elsewhere.http(), channel), (data, arrived) -> lastArrival.set(arrived))) {
            Thread.sleep(500);
            for (int run = -1; run < runs; run++) {
                long before = remote.messages();
                long droppedBefore = busDropped(ownerHttp);
                Runnable send = simulator.prepareBlast(List.of(channel), blast);
                System.gc();
                long start = System.nanoTime();
                send.run();
                awaitQuiet(remote, before + blast);
                long received = remote.messages() - before;
                double rate = received / ((lastArrival.get() - start) / 1e9);
                long lost = busDropped(ownerHttp) - droppedBefore;
                log(String.format(
                        "  %s: %d of %d arrived on %s, %.0f msg/s, %d dropped by the bus",
                        run < 0 ? "warm-up" : "run " + (run + 1), received, blast, elsewhere.name(), rate, lost));
                if (run >= 0) {
                    rates.add(rate);
                    dropped.add(100.0 * lost / blast);
                }
            }
        }
        report.add(
                "remote ingest, simulator → owner → cluster bus → SSE on another node",
                "msg/s",
                rates,
                "a blast of " + blast + " on one channel; compare with the owner-node ingest above");
        report.add("remote ingest, dropped by the cluster bus", "%", dropped, "a full send buffer drops (counted)");
        n1.delete("/api/clients/remote-ingest");
    }

    /** Creates a client for one channel, waits until it is active and returns its owner. */
    private String placed(Http http, String client, String channel) throws InterruptedException {
        createClient(http, client, channel, false);
        awaitActive(http, client);
        return http.get("/api/clients/" + client).json().path("owner").asText();
    }

    private static LibertyNode notOwner(ThreeNodes cluster, String owner) {
        return cluster.all().stream()
                .filter(n -> !n.name().equals(owner))
                .findFirst()
                .orElseThrow();
    }

    /** Waits until the reader has {@code target} messages, or none arrived for two seconds. */
    private static void awaitQuiet(SseReader reader, long target) throws InterruptedException {
        long seen = -1;
        long quietSince = System.nanoTime();
        while (reader.messages() < target) {
            long now = reader.messages();
            if (now != seen) {
                seen = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > 2_000_000_000L) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private static long busDropped(Http node) {
        return node.get("/api/cluster/diagnostics")
                .json()
                .path("bus")
                .path("dropped")
                .asLong();
    }

    /** Sync lag A → every member, idle and while the cluster bus carries market data to another node. */
    private void syncLag(ThreeNodes cluster) throws Exception {
        log("sync lag");
        Http n1 = cluster.node(1).http();
        List<Double> idle50 = new ArrayList<>();
        List<Double> idle99 = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            JsonNode lag = n1.post("/api/cluster/sync-lag?samples=500", "{}").json();
            idle50.add(lag.path("p50Ms").asDouble());
            idle99.add(lag.path("p99Ms").asDouble());
        }
        report.add("registry sync lag, idle, p50", "ms", idle50, "replicated write on n1 until all 3 applied it");
        report.add("registry sync lag, idle, p99", "ms", idle99, "goal ≤ 10 ms");

        String channel = "trades.BUS-PERPETUAL.raw";
        String owner = placed(n1, "bus-load", channel);
        LibertyNode elsewhere = notOwner(cluster, owner);
        List<Double> busy50 = new ArrayList<>();
        List<Double> busy99 = new ArrayList<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (SseReader remote = new SseReader(streamUri(elsewhere.http(), channel), null)) {
            ticker.scheduleAtFixedRate(() -> simulator.publish(channel, 5), 0, 1, TimeUnit.MILLISECONDS);
            Thread.sleep(2000);
            Http ownerHttp = cluster.named(owner).http();
            for (int run = 0; run < runs; run++) {
                JsonNode lag = ownerHttp
                        .post("/api/cluster/sync-lag?samples=500", "{}")
                        .json();
                busy50.add(lag.path("p50Ms").asDouble());
                busy99.add(lag.path("p99Ms").asDouble());
            }
            long received = remote.messages();
            log("  bus load: " + received + " messages reached " + elsewhere.name() + " over the bus");
        } finally {
            ticker.shutdownNow();
        }
        report.add(
                "registry sync lag, bus carrying ~5,000 msg/s, p50",
                "ms",
                busy50,
                "probes from the owner while it forwards market data");
        report.add("registry sync lag, bus carrying ~5,000 msg/s, p99", "ms", busy99, "goal ≤ 10 ms");
        n1.delete("/api/clients/bus-load");
    }

    /**
     * Shared budgets: check latency on a node that holds the budget and on one that does not, and the overshoot of
     * three nodes subscribing for one account at once (the simulator's 10028 answers).
     */
    private void sharedBudgets(ThreeNodes cluster) throws Exception {
        log("shared budgets");
        Http n1 = cluster.node(1).http();
        for (int i = 1; i <= 3; i++) {
            createClient(cluster.node(i).http(), "rl-" + i, null, true, ThreeNodes.REGIONS.get(i - 1));
        }
        for (int i = 1; i <= 3; i++) {
            awaitConnected(n1, "rl-" + i);
        }
        String holder = budgetOwner(n1, "deribit:account:bench-acct");
        LibertyNode holderNode = cluster.named(holder);
        LibertyNode remoteNode =
                cluster.all().stream().filter(n -> n != holderNode).findFirst().orElseThrow();
        List<Double> local50 = new ArrayList<>();
        List<Double> local99 = new ArrayList<>();
        List<Double> remote50 = new ArrayList<>();
        List<Double> remote99 = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            double[] local = checkLatency(holderNode.http(), "rl-1", 2000);
            double[] remote = checkLatency(remoteNode.http(), "rl-1", 2000);
            local50.add(local[0]);
            local99.add(local[1]);
            remote50.add(remote[0]);
            remote99.add(remote[1]);
        }
        report.add("rate-limit check, 3 nodes, on the budget's owner, p50", "µs", local50, "");
        report.add("rate-limit check, 3 nodes, on the budget's owner, p99", "µs", local99, "");
        report.add("rate-limit check, 3 nodes, elsewhere, p50", "µs", remote50, "one cluster round trip to the owner");
        report.add("rate-limit check, 3 nodes, elsewhere, p99", "µs", remote99, "");

        List<Double> overshoot = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        int perClient = 60;
        for (int run = 0; run < runs; run++) {
            long before = simulator.rateLimited();
            long start = System.nanoTime();
            List<CompletableFuture<Http.Reply>> sending = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Http http = cluster.node(i).http();
                String client = "rl-" + i;
                for (int j = 0; j < perClient; j++) {
                    String body = "{\"channels\":[\"trades.R" + run + "C" + i + "N" + j + "-PERPETUAL.raw\"]}";
                    sending.add(CompletableFuture.supplyAsync(
                            () -> http.post("/api/clients/" + client + "/subscriptions", body)));
                }
            }
            sending.forEach(CompletableFuture::join);
            awaitActiveCount(n1, "rl-", (run + 1) * 3 * perClient);
            seconds.add((System.nanoTime() - start) / 1e9);
            overshoot.add((double) (simulator.rateLimited() - before));
        }
        report.add(
                "rate-limit overshoot, 3 nodes × 60 concurrent subscribes, one account",
                "10028 answers",
                overshoot,
                "goal 0; default limits (50,000 credits, 10,000/s, 500 per request, margin 10 %)");
        report.add(
                "time for those 180 subscribes",
                "s",
                seconds,
                "floor set by the budget: 88 at once ((45,000 − 1,000 reserve) / 500), then 18/s: ≥ 5.1 s");
        for (int i = 1; i <= 3; i++) {
            n1.delete("/api/clients/rl-" + i);
        }
    }

    /** Planned transfers (make-before-break): messages lost and the longest silence seen by a consumer. */
    private void transfer(ThreeNodes cluster) throws Exception {
        log("transfer");
        Http n1 = cluster.node(1).http();
        String channel = "trades.TRANSFER-PERPETUAL.raw";
        createClient(n1, "moving", channel, false);
        awaitActive(n1, "moving");
        List<Double> lost = new ArrayList<>();
        List<Double> silence = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            String owner = n1.get("/api/clients/moving").json().path("owner").asText();
            LibertyNode target = cluster.all().stream()
                    .filter(n -> !n.name().equals(owner))
                    .toList()
                    .get(run % 2);
            LibertyNode watcher = cluster.all().stream()
                    .filter(n -> !n.name().equals(owner) && n != target)
                    .findFirst()
                    .orElseThrow();
            Arrivals arrivals = new Arrivals();
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            try (SseReader reader = new SseReader(streamUri(watcher.http(), channel), arrivals)) {
                ticker.scheduleAtFixedRate(() -> simulator.publish(channel, 1), 0, 5, TimeUnit.MILLISECONDS);
                Thread.sleep(1000);
                Http.Reply moved =
                        n1.post("/api/clients/moving/transfer", "{\"targetNode\":\"" + target.name() + "\"}");
                if (moved.status() != 200) {
                    throw new IllegalStateException("transfer failed: " + moved.text());
                }
                Thread.sleep(1000);
                ticker.shutdownNow();
                Thread.sleep(300);
                lost.add((double) arrivals.missing());
                silence.add(arrivals.longestSilenceMs());
                log(String.format(
                        "  run %d: %s → %s, %d missing, longest silence %.1f ms",
                        run + 1, owner, target.name(), arrivals.missing(), arrivals.longestSilenceMs()));
            } finally {
                ticker.shutdownNow();
            }
        }
        report.add("planned transfer: messages lost", "messages", lost, "goal 0; 200 msg/s, consumer on a third node");
        report.add("planned transfer: longest silence at the consumer", "ms", silence, "normal spacing 5 ms");
        n1.delete("/api/clients/moving");
    }

    /** kill -9 of the owner: time from its last message to the first from the new owner, at a consumer elsewhere. */
    private void failover(ThreeNodes cluster) throws Exception {
        log("failover, " + failoverRounds + " rounds");
        String channel = "trades.FAILOVER-PERPETUAL.raw";
        Http n1 = cluster.node(1).http();
        createClient(n1, "failing", channel, false);
        awaitActive(n1, "failing");
        List<Double> gaps = new ArrayList<>();
        List<Double> missed = new ArrayList<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ScheduledFuture<?> publishing =
                ticker.scheduleAtFixedRate(() -> simulator.publish(channel, 1), 0, 5, TimeUnit.MILLISECONDS);
        try {
            for (int round = 0; round < failoverRounds; round++) {
                LibertyNode any = cluster.all().stream()
                        .filter(n -> n.http().isUp())
                        .findFirst()
                        .orElseThrow();
                String owner = any.http()
                        .get("/api/clients/failing")
                        .json()
                        .path("owner")
                        .asText();
                LibertyNode victim = cluster.named(owner);
                LibertyNode watcher = cluster.all().stream()
                        .filter(n -> n != victim)
                        .findFirst()
                        .orElseThrow();
                Arrivals arrivals = new Arrivals();
                try (SseReader reader = new SseReader(streamUri(watcher.http(), channel), arrivals)) {
                    Thread.sleep(1500);
                    long killedAt = System.nanoTime();
                    victim.kill9();
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (arrivals.lastArrival() < killedAt && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    Thread.sleep(500);
                    double gap = arrivals.gapAcrossMs(killedAt);
                    gaps.add(gap);
                    missed.add((double) arrivals.missing());
                    log(String.format(
                            "  round %d: killed %s, gap %.0f ms, %d messages missed",
                            round + 1, owner, gap, arrivals.missing()));
                }
                victim.restart();
                victim.awaitStarted(WAIT);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (System.nanoTime() < deadline
                        && !cluster.all().stream()
                                .allMatch(n -> ThreeNodes.members(n).size() == 3)) {
                    Thread.sleep(200);
                }
                Thread.sleep(2000);
            }
        } finally {
            publishing.cancel(false);
            ticker.shutdownNow();
        }
        report.add(
                "failover gap after kill -9 (median = p50 of the rounds)",
                "ms",
                gaps,
                "last message of the old owner → first of the new, at a consumer on a surviving node");
        report.add(
                "failover gap after kill -9, p99 of the rounds",
                "ms",
                List.of(Stats.percentile(gaps, 99)),
                failoverRounds + " rounds; goal ≤ 1,500 ms with defaults");
        report.add(
                "failover: messages the exchange sent during the gap",
                "messages",
                missed,
                "200 msg/s; Deribit does not replay, so these are gone (flagged gap: true)");
    }

    // ---- memory ----

    /** RSS of a node idle, then with 100 clients and 10,000 subscriptions. */
    /**
     * Memory: a node that owns every client (region eu-west, the clients' preferred region) and a replica (another
     * region) that holds only the replicated registry. Idle, then 100 clients of 100 channels (10,000 subscriptions,
     * one message per channel per second), then 1,000 clients (100,000 subscriptions, one message per channel every
     * 10 s: the same 10,000 msg/s in). The replica's live heap per subscription is what the replicated state costs
     * each member.
     */
    private void memory() throws Exception {
        log("memory");
        int base = ClusterPorts.allocate(2);
        Map<String, String> common = new HashMap<>();
        common.put("JVM_ARGS", NODE_JVM_ARGS);
        common.put("NOVA_CLUSTER_NAME", "bench-memory-" + System.nanoTime());
        common.put("NOVA_CLUSTER_INITIAL_HOSTS", "127.0.0.1[" + base + "],127.0.0.1[" + (base + 1) + "]");
        common.put("NOVA_CLUSTER_FD_PORT_OFFSET", Integer.toString(ClusterPorts.FD_OFFSET));
        // 1,000 public sessions from one address share Deribit's per-address budget: at the default (10,000 credits
        // a second, 500 a request) their heartbeat replies alone would need more than it refills, so Nova's queue for
        // it fills and sessions fail, as they would at the real exchange. The budget here (simulator and node alike)
        // is 100 times that: this stage measures memory, not the budget.
        common.put("NOVA_RATELIMIT_DERIBIT_MAX_CREDITS", "5000000");
        common.put("NOVA_RATELIMIT_DERIBIT_REFILL_CREDITS_PER_SECOND", "1000000");
        common.put("NOVA_RATELIMIT_QUEUE_SIZE", "4096");
        Map<String, String> ownerEnv = new HashMap<>(common);
        ownerEnv.put("NOVA_NODE_REGION", "eu-west");
        ownerEnv.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(base));
        Map<String, String> replicaEnv = new HashMap<>(common);
        replicaEnv.put("NOVA_NODE_REGION", "ap-northeast");
        replicaEnv.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(base + 1));
        // A simulator of its own: the shared one keeps an outbox of 4 M frames per session for the ingest blasts,
        // which for 1,000 sessions would not fit in this JVM's heap.
        try (ExchangeSimulator exchange = ExchangeSimulator.start(
                        SimulatorOptions.defaults().messagesPerSecond(0).deribitCredits(5_000_000, 1_000_000, 500));
                LibertyNode node = LibertyNode.start("bench-memory", ownerEnv, LibertyNode.freePort());
                LibertyNode replica = LibertyNode.start("bench-replica", replicaEnv, LibertyNode.freePort())) {
            node.awaitStarted(WAIT);
            replica.awaitStarted(WAIT);
            Http http = node.http();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (http.get("/api/cluster").json().path("nodes").size() < 2) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the memory nodes did not form a cluster");
                }
                Thread.sleep(200);
            }
            Thread.sleep(5000);
            List<Double> idle = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                idle.add(rssMb(node));
                Thread.sleep(2000);
            }
            report.add("RSS of an idle node", "MiB", idle, "-Xmx1g; a cluster of two (the owner and a replica)");
            List<Double> idleHeap = liveHeaps(node);
            List<Double> replicaIdleHeap = liveHeaps(replica);
            report.add("live heap after a full GC, idle", "MiB", idleHeap, "jcmd GC.run, then the heap in use");
            double[][] stages = {{100, 1}, {1_000, 10}};
            int created = 0;
            double replicaBefore = Stats.median(replicaIdleHeap);
            int subscriptionsBefore = 0;
            for (double[] stage : stages) {
                int clients = (int) stage[0];
                int subscriptions = clients * 100;
                exchange.rate(0);
                for (int c = created; c < clients; c++) {
                    createMemoryClient(exchange, http, c);
                }
                created = clients;
                awaitActiveCount(http, "mem-", subscriptions, Duration.ofMinutes(15));
                if (!replicaHolds(replica.http(), subscriptions)) {
                    throw new IllegalStateException("the replica does not list " + subscriptions + " subscriptions");
                }
                // Traffic on every channel: 10,000 messages per second in all.
                exchange.every(Duration.ofSeconds((long) stage[1]));
                try {
                    Thread.sleep(15_000);
                    String scale = String.format("%,d clients and %,d subscriptions", clients, subscriptions);
                    List<Double> loaded = new ArrayList<>();
                    for (int i = 0; i < runs; i++) {
                        loaded.add(rssMb(node));
                        Thread.sleep(2000);
                    }
                    List<Double> loadedHeap = liveHeaps(node);
                    List<Double> replicaHeap = liveHeaps(replica);
                    report.add(
                            "RSS with " + scale,
                            "MiB",
                            loaded,
                            "one message per channel every " + (long) stage[1] + " s (10,000 msg/s in), -Xmx1g");
                    double owned = Stats.median(loadedHeap) - Stats.median(idleHeap);
                    report.add(
                            "live heap after a full GC, " + scale,
                            "MiB",
                            loadedHeap,
                            "what they cost the owner: " + Stats.format(owned) + " MiB, about "
                                    + Stats.format(owned * 1024 * 1024 / subscriptions) + " bytes per subscription");
                    // Per subscription on the replica: the growth from the stage before (the idle heap of a node
                    // just started moved by several MiB between samples, more than 10,000 subscriptions take).
                    double replicated = Stats.median(replicaHeap) - replicaBefore;
                    report.add(
                            "live heap after a full GC on the replica, " + scale,
                            "MiB",
                            replicaHeap,
                            "the replicated registry alone (the replica runs no client): " + Stats.format(replicated)
                                    + " MiB more than "
                                    + (subscriptionsBefore == 0
                                            ? "idle"
                                            : String.format("with %,d subscriptions", subscriptionsBefore))
                                    + ", about "
                                    + Stats.format(replicated * 1024 * 1024 / (subscriptions - subscriptionsBefore))
                                    + " bytes per subscription on every member");
                    replicaBefore = Stats.median(replicaHeap);
                    subscriptionsBefore = subscriptions;
                } finally {
                    exchange.rate(0);
                }
            }
        }
    }

    private static void createMemoryClient(ExchangeSimulator exchange, Http http, int c) {
        StringBuilder channels = new StringBuilder();
        for (int s = 0; s < 100; s++) {
            channels.append(s == 0 ? "" : ",")
                    .append("\"trades.M")
                    .append(c)
                    .append('X')
                    .append(s)
                    .append("-PERPETUAL.raw\"");
        }
        Http.Reply reply = http.post(
                "/api/clients",
                "{\"name\":\"mem-" + c + "\",\"platform\":\"deribit\",\"preferredRegion\":\"eu-west\",\"url\":\""
                        + exchange.deribitUrl() + "\",\"channels\":[" + channels + "]}");
        if (reply.status() != 201) {
            throw new IllegalStateException("create failed: " + reply.text());
        }
    }

    /** Whether the replica's registry lists at least {@code count} subscriptions (read from its own copy). */
    private static boolean replicaHolds(Http replica, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (replica.get("/api/subscriptions").json().size() >= count) {
                return true;
            }
            Thread.sleep(1000);
        }
        return false;
    }

    private List<Double> liveHeaps(LibertyNode node) throws IOException, InterruptedException {
        List<Double> heaps = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            heaps.add(liveHeapMb(node, node.http()));
        }
        return heaps;
    }

    /** The heap in use right after a full collection: what the node keeps live. */
    private static double liveHeapMb(LibertyNode node, Http http) throws IOException, InterruptedException {
        Process gc = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(node.pid()),
                        "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            throw new IllegalStateException("jcmd GC.run failed for " + node.name());
        }
        for (String line : http.get("/metrics?scope=base").text().split("\n")) {
            if (line.startsWith("memory_usedHeap_bytes")) {
                String[] parts = line.split(" ");
                return Double.parseDouble(parts[parts.length - 1]) / (1024 * 1024);
            }
        }
        throw new IllegalStateException("no memory_usedHeap_bytes in the node's base metrics");
    }

    private static double rssMb(LibertyNode node) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + node.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + node.name());
    }

    // ---- helpers ----

    /** Message arrivals at a consumer: sequence continuity and silences. */
    private static final class Arrivals implements SseReader.Listener {
        private long lastSequence = -1;
        private long missing;
        private volatile long last;
        private long previousBeforeLast;
        private final List<long[]> times = Collections.synchronizedList(new ArrayList<>());

        @Override
        public synchronized void message(String data, long arrived) {
            long sequence = SseReader.longField(data, "sequence");
            if (lastSequence >= 0 && sequence > lastSequence + 1) {
                missing += sequence - lastSequence - 1;
            }
            if (sequence > lastSequence) {
                lastSequence = sequence;
            }
            previousBeforeLast = last;
            last = arrived;
            times.add(new long[] {arrived, sequence});
        }

        long lastArrival() {
            return last;
        }

        synchronized long missing() {
            return missing;
        }

        synchronized double longestSilenceMs() {
            long longest = 0;
            for (int i = 1; i < times.size(); i++) {
                longest = Math.max(longest, times.get(i)[0] - times.get(i - 1)[0]);
            }
            return longest / 1e6;
        }

        /**
         * The failover gap: at the first jump in sequence after {@code moment}, the time from the last message of
         * the old owner to the first of the new one. Without a jump (nothing lost), the longest silence after it.
         */
        synchronized double gapAcrossMs(long moment) {
            long longest = 0;
            for (int i = 1; i < times.size(); i++) {
                long[] previous = times.get(i - 1);
                long[] current = times.get(i);
                if (current[0] <= moment) {
                    continue;
                }
                if (current[1] > previous[1] + 1) {
                    return (current[0] - previous[0]) / 1e6;
                }
                longest = Math.max(longest, current[0] - previous[0]);
            }
            return longest / 1e6;
        }
    }

    private void createClient(Http http, String name, String channel, boolean credentials) {
        createClient(http, name, channel, credentials, null);
    }

    private void createClient(Http http, String name, String channel, boolean credentials, String region) {
        String body = "{\"name\":\"" + name + "\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl() + "\""
                + (channel == null ? "" : ",\"channels\":[\"" + channel + "\"]")
                + (credentials
                        ? ",\"credentials\":{\"clientId\":\"bench-acct\",\"clientSecret\":\"bench-secret\"}"
                        : "")
                + (region == null ? "" : ",\"preferredRegion\":\"" + region + "\"")
                + "}";
        Http.Reply reply = http.post("/api/clients", body);
        if (reply.status() != 201) {
            throw new IllegalStateException("could not create " + name + ": " + reply.text());
        }
    }

    private static void awaitConnected(Http http, String client) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!"CONNECTED"
                .equals(http.get("/api/clients/" + client).json().path("state").asText())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(client + " did not connect");
            }
            Thread.sleep(100);
        }
    }

    private static void awaitActive(Http http, String client) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode subscriptions =
                    http.get("/api/subscriptions?client=" + client).json();
            boolean active = subscriptions.size() > 0
                    && StreamSupport.stream(subscriptions.spliterator(), false)
                            .allMatch(s -> "ACTIVE".equals(s.path("state").asText()));
            if (active) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(client + " did not get its channels: " + subscriptions);
            }
            Thread.sleep(100);
        }
    }

    private static void awaitActiveCount(Http http, String clientPrefix, int count) throws InterruptedException {
        awaitActiveCount(http, clientPrefix, count, WAIT);
    }

    /** Polls the subscription list (large at 100,000: every 250 ms for each 10,000 listed) until enough are active. */
    private static void awaitActiveCount(Http http, String clientPrefix, int count, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long active = 0;
        while (System.nanoTime() < deadline) {
            JsonNode all = http.get("/api/subscriptions").json();
            active = StreamSupport.stream(all.spliterator(), false)
                    .filter(s -> s.path("client").asText().startsWith(clientPrefix))
                    .filter(s -> "ACTIVE".equals(s.path("state").asText()))
                    .count();
            if (active >= count) {
                return;
            }
            Thread.sleep(250L * Math.max(1, all.size() / 10_000));
        }
        throw new IllegalStateException(active + " of " + count + " subscriptions active");
    }

    private void awaitSubscribers(String channel, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (simulator.subscribers(channel) < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nobody subscribed " + channel);
            }
            Thread.sleep(20);
        }
    }

    private static String budgetOwner(Http http, String scope) {
        for (JsonNode budget : http.get("/api/ratelimits").json()) {
            if (budget.path("scope").asText().equals(scope)) {
                return budget.path("owner").asText();
            }
        }
        throw new IllegalStateException("no budget " + scope);
    }

    private static URI streamUri(Http http, String channel) {
        return URI.create(http.base() + "/api/stream?channel=" + URLEncoder.encode(channel, StandardCharsets.UTF_8));
    }

    private static void log(String line) {
        System.out.println("[bench] " + line);
    }
}
