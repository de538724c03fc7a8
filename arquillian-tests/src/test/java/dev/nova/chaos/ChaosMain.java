package dev.nova.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nova.it.support.Http;
import dev.nova.it.support.LabCluster;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.NetworkLab;
import dev.nova.it.support.SseStream;
import dev.nova.simulator.ExchangeSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The chaos run: not a test (it is not part of {@code mvn verify}), a harness that puts a cluster of Liberty nodes
 * in network namespaces ({@link NetworkLab}) through N rounds of random faults and checks the invariants after each:
 *
 * <pre>mvn -Pchaos verify [-Dchaos.rounds=100] [-Dchaos.nodes=3] [-Dchaos.seed=…] [-Dchaos.faults=kill,stop,cut,slow]</pre>
 *
 * <p>Faults, on a random node: {@code kill} (kill -9, then the node is started again), {@code stop} (SIGSTOP, then
 * SIGCONT), {@code cut} (its cluster link down, then up), {@code slow} (tc netem delay and loss on its cluster link,
 * where the kernel has netem). Clients on both platforms, two per node; an SSE consumer on every node; while a fault
 * holds, a subscription is added and the previous one deleted through a node that holds quorum. After each round,
 * once the cluster has converged: one session per client at the exchange (sampled every 100 ms through the round),
 * every subscription in the registry subscribed at the exchange, no deleted subscription back (registry or
 * exchange), every consumer's sequences without a duplicate and every jump flagged {@code gap: true}. It prints each
 * round, then the faults, the invariants broken, the longest unavailability per client (no session at the exchange)
 * and the takeover and merge times; the table goes to {@code target/chaos/results.md} and, with
 * {@code -Dchaos.benchmarks=BENCHMARKS.md}, into that file between the chaos markers.
 */
public final class ChaosMain {

    enum Fault {
        KILL,
        STOP,
        CUT,
        SLOW
    }

    record Client(String name, String platform, String channel) {}

    record Churn(String client, String id, String channel) {}

    private static final Duration CONVERGE = Duration.ofSeconds(180);
    private static final long STABLE_MS = 3000;
    private static final String BEGIN = "<!-- chaos:begin -->";
    private static final String END = "<!-- chaos:end -->";

    private final NetworkLab lab;
    private final ExchangeSimulator simulator;
    private final LabCluster cluster;
    private final Random random;
    private final List<Fault> faults;
    private final int holdMaxSeconds;
    private final List<Client> clients = new ArrayList<>();
    private final List<Consumer> consumers = new ArrayList<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();

    /** Per client: when its current outage began (0: it has a session), its longest outage, this round's longest. */
    private final Map<String, Long> outageSince = new ConcurrentHashMap<>();

    private final Map<String, Long> longestOutage = new ConcurrentHashMap<>();
    private final Map<String, Long> roundOutage = new ConcurrentHashMap<>();
    private final List<String> roundDoubles = new CopyOnWriteArrayList<>();
    /** The exchange's sessions of the node hung by SIGSTOP, as they were when it was stopped (its sockets stay open). */
    private volatile Set<Integer> frozen = Set.of();
    /** When one of those sessions was last seen open, epoch ms (0: never). */
    private volatile long frozenSeenAt;

    private final AtomicLong frozenDoubleSamples = new AtomicLong();
    private final List<Double> staleClosedSeconds = new ArrayList<>();

    private final List<Churn> deleted = new ArrayList<>();
    private Churn current;
    private final Map<Fault, Integer> faultCounts = new EnumMap<>(Fault.class);
    private final Map<Fault, List<Double>> convergeSeconds = new EnumMap<>(Fault.class);
    private final Map<Fault, List<Double>> takeoverSeconds = new EnumMap<>(Fault.class);
    private final List<Double> mergeSeconds = new ArrayList<>();
    private final Map<String, Integer> broken = new LinkedHashMap<>();
    private final List<String> brokenRounds = new ArrayList<>();
    private int refusedWrites;
    private long doubleSamples;

    private ChaosMain(
            NetworkLab lab,
            ExchangeSimulator simulator,
            LabCluster cluster,
            Random random,
            List<Fault> faults,
            int holdMaxSeconds) {
        this.lab = lab;
        this.simulator = simulator;
        this.cluster = cluster;
        this.random = random;
        this.faults = faults;
        this.holdMaxSeconds = holdMaxSeconds;
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("chaos.rounds", 100);
        int nodes = Integer.getInteger("chaos.nodes", 3);
        if (nodes < 3 || nodes > 5) {
            throw new IllegalArgumentException("chaos.nodes must be 3 to 5, not " + nodes);
        }
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        int holdMax = Integer.getInteger("chaos.hold-max", 15);
        List<Fault> faults = new ArrayList<>(Arrays.stream(
                        System.getProperty("chaos.faults", "kill,stop,cut,slow").split(","))
                .map(f -> Fault.valueOf(f.trim().toUpperCase(Locale.ROOT)))
                .toList());
        System.out.printf(
                "chaos: %d rounds on %d nodes, faults %s, holds 3-%d s, seed %d%n",
                rounds, nodes, faults, holdMax, seed);
        try (NetworkLab lab = NetworkLab.create(nodes);
                ExchangeSimulator simulator = LabCluster.simulator(lab);
                LabCluster cluster = LabCluster.start(lab, nodes, "chaos", Map.of())) {
            if (faults.contains(Fault.SLOW) && !lab.slow(1, 1, 0)) {
                System.out.println("chaos: this kernel has no tc netem: the slow-link fault is left out");
                faults.remove(Fault.SLOW);
            }
            lab.unslow(1);
            ChaosMain chaos = new ChaosMain(lab, simulator, cluster, new Random(seed), faults, holdMax);
            chaos.setUp();
            for (int round = 1; round <= rounds; round++) {
                chaos.round(round, rounds);
            }
            chaos.report(rounds, nodes, seed);
        }
    }

    private void setUp() throws Exception {
        int count = cluster.size();
        for (int i = 0; i < 2 * count; i++) {
            Client client = i % 2 == 0
                    ? new Client("chaos-d" + i, "deribit", "trades.CHAOS" + i + "-PERPETUAL.raw")
                    : new Client("chaos-b" + i, "binance", "chaos" + i + "usdt@trade");
            cluster.createClient(i % count + 1, simulator, client.platform(), client.name(), client.channel());
            clients.add(client);
            outageSince.put(client.name(), 0L);
            longestOutage.put(client.name(), 0L);
        }
        awaitConverged(CONVERGE);
        for (int n = 1; n <= count; n++) {
            consumers.add(new Consumer(n, clients.get((n - 1) % clients.size()).channel()));
        }
        consumers.forEach(Consumer::open);
        sampler.scheduleWithFixedDelay(this::sample, 0, 100, TimeUnit.MILLISECONDS);
    }

    /**
     * The exchange's view, every 100 ms: outages (no session) and doubles (two sessions) per client. A failure is
     * printed and the sampling goes on (an exception would end a scheduled task for good, and "no double" with it).
     */
    private void sample() {
        try {
            sampleOnce();
        } catch (RuntimeException e) {
            System.out.println("chaos: a sample of the exchange failed: " + e);
        }
    }

    private void sampleOnce() {
        long now = System.currentTimeMillis();
        Set<Integer> hung = frozen;
        List<ExchangeSimulator.SessionInfo> sessionsNow = simulator.sessions();
        if (sessionsNow.stream().anyMatch(s -> hung.contains(s.id()))) {
            frozenSeenAt = now;
        }
        for (Client client : clients) {
            int sessions = simulator.subscribers(client.channel());
            long since = outageSince.get(client.name());
            if (sessions == 0 && since == 0) {
                outageSince.put(client.name(), now);
            } else if (sessions > 0 && since > 0) {
                long outage = now - since;
                longestOutage.merge(client.name(), outage, Math::max);
                roundOutage.merge(client.name(), outage, Math::max);
                outageSince.put(client.name(), 0L);
            }
            if (sessions > 1) {
                // Only the sessions the hung node had when it was stopped are excused, and only one live beside them.
                long live = sessionsNow.stream()
                        .filter(s -> s.channels().contains(client.channel()) && !hung.contains(s.id()))
                        .count();
                if (live > 1) {
                    roundDoubles.add(client.name() + " at " + now);
                } else {
                    frozenDoubleSamples.incrementAndGet();
                }
            }
        }
    }

    private void round(int round, int rounds) throws Exception {
        Fault fault = faults.get(random.nextInt(faults.size()));
        int target = 1 + random.nextInt(cluster.size());
        double hold = 3 + random.nextDouble() * (holdMaxSeconds - 3);
        if (fault == Fault.CUT || fault == Fault.STOP) {
            hold = Math.max(hold, 8); // long enough for the others to take over
        }
        faultCounts.merge(fault, 1, Integer::sum);
        roundOutage.clear();
        roundDoubles.clear();
        List<String> owned = ownedBy("n" + target);
        List<String> violations = new ArrayList<>();

        if (fault == Fault.STOP) {
            String address = lab.appAddress(target);
            frozen = simulator.sessions().stream()
                    .filter(s -> s.remoteAddress().contains(address))
                    .map(ExchangeSimulator.SessionInfo::id)
                    .collect(Collectors.toUnmodifiableSet());
            frozenSeenAt = 0;
        }
        long appliedAt = System.nanoTime();
        apply(fault, target);
        Takeover takeover = new Takeover(target, owned, appliedAt);
        ScheduledFuture<?> polling = watcher.scheduleWithFixedDelay(takeover::poll, 0, 100, TimeUnit.MILLISECONDS);
        long holdUntil = appliedAt + (long) (hold * 1e9);
        Thread.sleep(1000);
        churn(target);
        long left = holdUntil - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        long undoneAt = System.nanoTime();
        long undoneAtMs = System.currentTimeMillis();
        undo(fault, target);
        polling.cancel(false);
        if (takeover.seconds() >= 0) {
            takeoverSeconds.computeIfAbsent(fault, f -> new ArrayList<>()).add(takeover.seconds());
        }
        String unconverged = awaitConverged(CONVERGE);
        double converged = (System.nanoTime() - undoneAt) / 1e9 - STABLE_MS / 1000.0;
        if (unconverged != null) {
            violations.add("did not converge within " + CONVERGE.toSeconds() + " s: " + unconverged);
        } else {
            convergeSeconds.computeIfAbsent(fault, f -> new ArrayList<>()).add(converged);
            if (fault == Fault.CUT || fault == Fault.SLOW || fault == Fault.STOP) {
                mergeSeconds.add(converged);
            }
        }
        if (fault == Fault.STOP) {
            // The resumed node's stale sessions (watched through the convergence, at least 3 s): gone within 1 s?
            frozen = Set.of();
            if (frozenSeenAt > 0) {
                double closedAfter = Math.max(0, frozenSeenAt - undoneAtMs) / 1000.0;
                staleClosedSeconds.add(closedAfter);
                if (closedAfter > 1.0) {
                    violations.add(String.format(
                            Locale.ROOT, "the resumed node kept a stale session %.1f s after SIGCONT", closedAfter));
                }
            }
        }
        Thread.sleep(500);
        violations.addAll(checkRegistry());
        if (fault == Fault.KILL) {
            consumers.get(target - 1).reopen();
        }
        for (Consumer consumer : consumers) {
            violations.addAll(consumer.check());
        }
        // Last, so that doubles during the checks above count in this round too.
        if (!roundDoubles.isEmpty()) {
            doubleSamples += roundDoubles.size();
            violations.add("two sessions of one client at the exchange in " + roundDoubles.size() + " samples, first "
                    + roundDoubles.get(0));
        }
        String worst = roundOutage.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(e -> String.format(Locale.ROOT, "%.1f s (%s)", e.getValue() / 1000.0, e.getKey()))
                .orElse("none");
        System.out.printf(
                Locale.ROOT,
                "round %d/%d: %s n%d for %.1f s; %s; converged %.1f s after the undo; longest outage %s; %s%n",
                round,
                rounds,
                fault.name().toLowerCase(Locale.ROOT),
                target,
                hold,
                takeover.describe(),
                converged,
                worst,
                violations.isEmpty() ? "ok" : "BROKEN: " + violations);
        if (!violations.isEmpty()) {
            brokenRounds.add(round + " (" + fault.name().toLowerCase(Locale.ROOT) + " n" + target + ")");
            for (String violation : violations) {
                broken.merge(violation.replaceAll("[0-9]+", "#"), 1, Integer::sum);
            }
        }
    }

    private void apply(Fault fault, int target) throws Exception {
        LibertyNode node = cluster.node(target);
        switch (fault) {
            case KILL -> node.kill9();
            case STOP -> node.signal("STOP");
            case CUT -> lab.cut(target);
            case SLOW -> lab.slow(target, 200, 5);
        }
    }

    private void undo(Fault fault, int target) throws Exception {
        LibertyNode node = cluster.node(target);
        switch (fault) {
            case KILL -> {
                node.restart();
                node.awaitStarted(Duration.ofMinutes(3));
            }
            case STOP -> node.signal("CONT");
            case CUT -> lab.heal(target);
            case SLOW -> lab.unslow(target);
        }
    }

    /** While the fault holds: one subscription added and the previous one deleted, through a node that takes them. */
    private void churn(int target) throws InterruptedException {
        List<Client> deribit =
                clients.stream().filter(c -> c.platform().equals("deribit")).toList();
        Client client = deribit.get(random.nextInt(deribit.size()));
        String channel = "ticker.CHURN" + System.nanoTime() + "-PERPETUAL.100ms";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (int n = 1; n <= cluster.size(); n++) {
                if (n == target) {
                    continue;
                }
                try {
                    Http http = cluster.http(n);
                    if (current != null) {
                        int status = http.delete("/api/clients/" + current.client() + "/subscriptions/" + current.id())
                                .status();
                        if (status != 204 && status != 404) {
                            continue;
                        }
                        deleted.add(current);
                        current = null;
                    }
                    Http.Reply added = http.post(
                            "/api/clients/" + client.name() + "/subscriptions", "{\"channels\":[\"" + channel + "\"]}");
                    if (added.status() == 201) {
                        current = new Churn(
                                client.name(),
                                added.json()
                                        .path("subscriptions")
                                        .get(0)
                                        .path("id")
                                        .asText(),
                                channel);
                        return;
                    }
                } catch (RuntimeException notAnswering) {
                    // another node, or later
                }
            }
            Thread.sleep(500);
        }
        refusedWrites++;
    }

    /** The clients a node owns, as another node sees them. */
    private List<String> ownedBy(String node) {
        List<String> owned = new ArrayList<>();
        for (JsonNode client :
                cluster.http(node.equals("n1") ? 2 : 1).get("/api/clients").json()) {
            if (client.path("owner").asText().equals(node)) {
                owned.add(client.path("name").asText());
            }
        }
        return owned;
    }

    /**
     * Null once every node lists every member and is ready, and every client runs once, unchanged for
     * {@value #STABLE_MS} ms (a merge view that the coordinator undoes a second later is not convergence); else what
     * is not so at the deadline.
     */
    private String awaitConverged(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String missing = "nothing checked";
        long convergedSince = 0;
        while (System.nanoTime() < deadline) {
            missing = notConverged();
            if (missing != null) {
                convergedSince = 0;
            } else if (convergedSince == 0) {
                convergedSince = System.nanoTime();
            } else if (System.nanoTime() - convergedSince >= TimeUnit.MILLISECONDS.toNanos(STABLE_MS)) {
                return null;
            }
            Thread.sleep(250);
        }
        return missing;
    }

    private String notConverged() {
        int count = cluster.size();
        for (int n = 1; n <= count; n++) {
            try {
                if (cluster.members(n).size() != count) {
                    return "n" + n + " lists " + cluster.members(n);
                }
                String status = cluster.status(n);
                if (!status.equals("ready")) {
                    return "n" + n + " is " + status;
                }
            } catch (RuntimeException e) {
                return "n" + n + " does not answer";
            }
        }
        Map<String, JsonNode> records = new LinkedHashMap<>();
        cluster.http(1)
                .get("/api/clients")
                .json()
                .forEach(c -> records.put(c.path("name").asText(), c));
        for (Client client : clients) {
            JsonNode record = records.get(client.name());
            if (record == null || !record.path("state").asText().equals("CONNECTED")) {
                return client.name() + " is "
                        + (record == null ? "gone" : record.path("state").asText());
            }
            int sessions = simulator.subscribers(client.channel());
            if (sessions != 1) {
                return client.name() + " has " + sessions + " sessions at the exchange";
            }
        }
        return null;
    }

    /** Every registered subscription at the exchange; no deleted one back. */
    private List<String> checkRegistry() throws InterruptedException {
        List<String> violations = new ArrayList<>();
        // The owner subscribes after the registry changed: give it the consistency pass's time.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<String> unsubscribed;
        do {
            unsubscribed = new ArrayList<>();
            for (JsonNode subscription :
                    cluster.http(1).get("/api/subscriptions").json()) {
                String channel = subscription.path("channel").asText();
                if (simulator.subscribers(channel) < 1) {
                    unsubscribed.add(channel);
                }
            }
            if (!unsubscribed.isEmpty()) {
                Thread.sleep(250);
            }
        } while (!unsubscribed.isEmpty() && System.nanoTime() < deadline);
        if (!unsubscribed.isEmpty()) {
            violations.add("subscriptions not held at the exchange: " + unsubscribed);
        }
        for (int n = 1; n <= cluster.size(); n++) {
            String registry = cluster.http(n).get("/api/subscriptions").text();
            for (Churn gone : deleted) {
                if (registry.contains(gone.id())) {
                    violations.add("n" + n + " lists deleted subscription " + gone.id());
                }
            }
        }
        for (Churn gone : deleted) {
            if (simulator.subscribers(gone.channel()) > 0) {
                violations.add("deleted " + gone.channel() + " is subscribed at the exchange again");
            }
        }
        return violations;
    }

    /** How long until every client the faulted node owned runs elsewhere, as the other nodes see it. */
    private final class Takeover {
        private final int target;
        private final List<String> owned;
        private final long since;
        private volatile double seconds = -1;

        Takeover(int target, List<String> owned, long since) {
            this.target = target;
            this.owned = owned;
            this.since = since;
        }

        void poll() {
            if (seconds >= 0 || owned.isEmpty()) {
                return;
            }
            int witness = target == 1 ? 2 : 1;
            try {
                for (JsonNode client : cluster.http(witness).get("/api/clients").json()) {
                    if (owned.contains(client.path("name").asText())
                            && (client.path("owner").asText().equals("n" + target)
                                    || !client.path("state").asText().equals("CONNECTED"))) {
                        return;
                    }
                }
                seconds = (System.nanoTime() - since) / 1e9;
            } catch (RuntimeException notAnswering) {
                // the witness may be busy; next time
            }
        }

        double seconds() {
            return seconds;
        }

        String describe() {
            if (owned.isEmpty()) {
                return "it owned no client";
            }
            return seconds >= 0
                    ? String.format(Locale.ROOT, "its %d client(s) live elsewhere after %.1f s", owned.size(), seconds)
                    : "its " + owned.size() + " client(s) stayed (not taken over while the fault held)";
        }
    }

    /** An SSE consumer on one node: checks that sequences never repeat and every jump is flagged. */
    private final class Consumer {
        private final int node;
        private final String channel;
        private SseStream stream;
        private long previous = -1;

        Consumer(int node, String channel) {
            this.node = node;
            this.channel = channel;
        }

        void open() {
            try {
                stream = new SseStream(cluster.http(node).uri("/api/stream?channel=" + channel));
                previous = -1;
            } catch (IOException | RuntimeException e) {
                stream = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void reopen() {
            close();
            open();
        }

        void close() {
            if (stream != null) {
                stream.close();
            }
        }

        List<String> check() throws InterruptedException {
            if (stream == null) {
                open();
                return List.of();
            }
            List<String> violations = new ArrayList<>();
            for (SseStream.Event event : stream.drain(Duration.ofMillis(300))) {
                JsonNode message = event.json();
                long sequence = message.path("sequence").asLong();
                if (previous >= 0 && sequence <= previous) {
                    violations.add("consumer on n" + node + " saw " + channel + " sequence " + sequence + " after "
                            + previous);
                } else if (previous >= 0
                        && sequence != previous + 1
                        && !message.path("gap").asBoolean()) {
                    violations.add("consumer on n" + node + " saw an unflagged jump " + previous + " -> " + sequence);
                }
                previous = Math.max(previous, sequence);
            }
            return violations;
        }
    }

    private void report(int rounds, int nodes, long seed) throws IOException {
        sampler.shutdownNow();
        watcher.shutdownNow();
        consumers.forEach(Consumer::close);
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                Locale.ROOT,
                "Chaos run (`mvn -Pchaos verify`): %d rounds on %d nodes, seed %d, %s.%n%n",
                rounds,
                nodes,
                seed,
                java.time.LocalDate.now()));
        table.append("| figure | value |\n|---|---|\n");
        table.append("| faults | ").append(faultCounts).append(" |\n");
        table.append("| rounds with an invariant broken | ")
                .append(brokenRounds.size())
                .append(brokenRounds.isEmpty() ? "" : " " + brokenRounds)
                .append(" |\n");
        broken.forEach((what, times) -> table.append("| broken: ")
                .append(what.replace("|", "/"))
                .append(" | ")
                .append(times)
                .append(" |\n"));
        table.append("| samples with two sessions of one client | ")
                .append(doubleSamples)
                .append(" |\n");
        table.append("| writes no node took within 10 s | ")
                .append(refusedWrites)
                .append(" |\n");
        table.append("| samples with a hung node's session beside its client's new one (SIGSTOP) | ")
                .append(frozenDoubleSamples.get())
                .append(" |\n");
        if (!staleClosedSeconds.isEmpty()) {
            table.append(String.format(
                    Locale.ROOT,
                    "| a resumed node's stale session gone after SIGCONT, max (n=%d) | %.1f s |%n",
                    staleClosedSeconds.size(),
                    percentile(staleClosedSeconds, 100)));
        }
        takeoverSeconds.forEach((fault, samples) -> table.append(String.format(
                Locale.ROOT,
                "| takeover after %s, p50 / p99 / max (n=%d) | %.1f / %.1f / %.1f s |%n",
                fault.name().toLowerCase(Locale.ROOT),
                samples.size(),
                percentile(samples, 50),
                percentile(samples, 99),
                percentile(samples, 100))));
        if (!mergeSeconds.isEmpty()) {
            table.append(String.format(
                    Locale.ROOT,
                    "| one view again after a heal/resume, p50 / p99 / max (n=%d) | %.1f / %.1f / %.1f s |%n",
                    mergeSeconds.size(),
                    percentile(mergeSeconds, 50),
                    percentile(mergeSeconds, 99),
                    percentile(mergeSeconds, 100)));
        }
        long worst =
                longestOutage.values().stream().mapToLong(Long::longValue).max().orElse(0);
        table.append(String.format(Locale.ROOT, "| longest unavailability of any client | %.1f s |%n", worst / 1000.0));
        longestOutage.forEach((client, ms) -> table.append(
                String.format(Locale.ROOT, "| longest unavailability, %s | %.1f s |%n", client, ms / 1000.0)));
        System.out.println();
        System.out.println(table);
        Path output = Path.of(System.getProperty("chaos.output", "target/chaos"));
        Files.createDirectories(output);
        Files.writeString(output.resolve("results.md"), table.toString());
        String benchmarks = System.getProperty("chaos.benchmarks", "");
        if (!benchmarks.isBlank()) {
            Path file = Path.of(benchmarks);
            String text = Files.readString(file);
            String section = BEGIN + "\n" + table + END;
            int begin = text.indexOf(BEGIN);
            int end = text.indexOf(END);
            text = begin >= 0 && end > begin
                    ? text.substring(0, begin) + section + text.substring(end + END.length())
                    : text + "\n## Chaos run\n\n" + section + "\n";
            Files.writeString(file, text);
            System.out.println("chaos: figures written to " + file);
        }
    }

    private static double percentile(List<Double> samples, double p) {
        List<Double> sorted = samples.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
