package dev.nova.bench;

import dev.nova.it.support.Http;
import dev.nova.it.support.LibertyNode;
import dev.nova.it.support.ThreeNodes;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kill -9 of a node that runs 100 clients with 100 subscriptions each: the time until every one of them is live again
 * on the other nodes (a new session at the exchange holding all its channels), once with a Deribit account per client
 * and once with one account shared by all, where the exchange's credit budget sets a floor (given as a ratio), and
 * the {@code too_many_requests} (10028) answers the exchange gave meanwhile (goal 0). The clients are placed on the
 * victim by region; it is restarted after each round.
 */
final class MassFailover {

    static final int CLIENTS = 100;
    static final int CHANNELS = 100;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String SHARED_ACCOUNT = "mf-shared";
    private static final int VICTIM = 3;

    /** The simulator's Deribit budget (its defaults, the exchange's documented ones). */
    private static final double MAX_CREDITS = 50_000;

    private static final double REFILL_PER_SECOND = 10_000;
    private static final double COST = 500;

    private final Report report;
    private final int runs;
    private final ExchangeSimulator simulator;

    private MassFailover(Report report, int runs, ExchangeSimulator simulator) {
        this.report = report;
        this.runs = runs;
        this.simulator = simulator;
    }

    /** Runs both cases on {@code cluster} against a simulator of its own (accounts for every client). */
    static void run(ThreeNodes cluster, Report report, int runs) throws Exception {
        SimulatorOptions options = SimulatorOptions.defaults()
                .messagesPerSecond(0)
                .credentials(SHARED_ACCOUNT, "secret")
                // The simulator's per-address handshake limit is Binance's (300 per 5 min); these are Deribit
                // sessions, a few hundred per round from one address.
                .connectionLimit(1_000_000, Duration.ofMinutes(5));
        for (int c = 0; c < CLIENTS; c++) {
            options.credentials(account(c), "secret");
        }
        try (ExchangeSimulator own = ExchangeSimulator.start(options)) {
            MassFailover bench = new MassFailover(report, runs, own);
            bench.mode(cluster, false);
            bench.mode(cluster, true);
        }
    }

    private static String account(int client) {
        return "mf-acct-" + client;
    }

    private void mode(ThreeNodes cluster, boolean shared) throws Exception {
        String label = shared ? "one shared account" : "an account per client";
        List<Double> all = new ArrayList<>();
        List<Double> median = new ArrayList<>();
        List<Double> refused = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            Round round = new Round((shared ? "s" : "d") + run, shared);
            round.create(cluster.node(VICTIM).http());
            double[] figures = round.killAndWatch(cluster);
            all.add(figures[0]);
            median.add(figures[1]);
            refused.add(figures[2]);
            String floor = "";
            if (shared) {
                double floorSeconds = Math.max(0, (figures[3] * COST - MAX_CREDITS) / REFILL_PER_SECOND);
                ratios.add(floorSeconds > 0 ? figures[0] / floorSeconds : Double.NaN);
                floor = String.format(", %.0f charged requests, floor %.1f s", figures[3], floorSeconds);
            }
            System.out.printf(
                    "[bench]   %s round %d: every client live again %.2f s after the kill (median %.2f s), %.0f"
                            + " 10028 answers%s%n",
                    label, run + 1, figures[0], figures[1], figures[2], floor);
            round.delete(cluster.node(1).http());
        }
        report.add(
                "failover of a node with 100 clients × 100 subscriptions, " + label + ": all live again",
                "s",
                all,
                "kill -9 → the last client's new session holds its 100 channels");
        report.add("  the same, median client", "s", median, "");
        report.add("  the same, too_many_requests (10028) answers", "answers", refused, "goal 0");
        if (shared) {
            report.add(
                    "  the same, ratio to the exchange's budget floor",
                    "×",
                    ratios,
                    "floor = (charged requests × 500 − 50,000) / 10,000 per s; Nova keeps 10 % below the"
                            + " exchange's limits, so ≥ 1.11");
        }
    }

    /** One round: 100 clients on the victim, their channels, the kill and what the exchange sees after it. */
    private final class Round {
        private final String tag;
        private final boolean shared;
        private final Map<String, Integer> clientOfChannel = new HashMap<>();

        Round(String tag, boolean shared) {
            this.tag = tag;
            this.shared = shared;
        }

        private String name(int client) {
            return "mf" + tag + "-" + client;
        }

        void create(Http http) throws InterruptedException {
            for (int c = 0; c < CLIENTS; c++) {
                StringBuilder channels = new StringBuilder();
                for (int s = 0; s < CHANNELS; s++) {
                    String channel = "trades.MF" + tag.toUpperCase() + "C" + c + "X" + s + "-PERPETUAL.raw";
                    clientOfChannel.put(channel, c);
                    channels.append(s == 0 ? "" : ",")
                            .append('"')
                            .append(channel)
                            .append('"');
                }
                String account = shared ? SHARED_ACCOUNT : account(c);
                Http.Reply created = http.post(
                        "/api/clients",
                        "{\"name\":\"" + name(c) + "\",\"platform\":\"deribit\",\"url\":\"" + simulator.deribitUrl()
                                + "\",\"preferredRegion\":\"" + ThreeNodes.REGIONS.get(VICTIM - 1)
                                + "\",\"credentials\":{\"clientId\":\"" + account
                                + "\",\"clientSecret\":\"secret\"},\"channels\":[" + channels + "]}");
                if (created.status() != 201) {
                    throw new IllegalStateException("could not create " + name(c) + ": " + created.text());
                }
                String owner = created.json().path("owner").asText();
                if (!owner.equals("n" + VICTIM)) {
                    throw new IllegalStateException(name(c) + " placed on " + owner + ", not on n" + VICTIM);
                }
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (live(Set.of()).size() < CLIENTS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + live(Set.of()).size() + " clients live after " + WAIT);
                }
                Thread.sleep(200);
            }
            // A full credit bucket at the kill, whatever the creation took.
            Thread.sleep(6000);
        }

        /** Clients with a session (not one of {@code before}) that holds all their channels. */
        private Set<Integer> live(Set<Integer> before) {
            Set<Integer> clients = new HashSet<>();
            for (ExchangeSimulator.SessionInfo session : simulator.sessions()) {
                if (before.contains(session.id()) || session.channels().size() < CHANNELS) {
                    continue;
                }
                Integer client =
                        clientOfChannel.get(session.channels().iterator().next());
                if (client != null) {
                    clients.add(client);
                }
            }
            return clients;
        }

        /** Returns {all live s, median client s, 10028 answers, charged requests of the shared account}. */
        double[] killAndWatch(ThreeNodes cluster) throws Exception {
            Set<Integer> before = new HashSet<>();
            simulator.sessions().forEach(s -> before.add(s.id()));
            long refusedBefore = simulator.rateLimited();
            long chargedBefore = simulator.chargedRequests(SHARED_ACCOUNT);
            LibertyNode victim = cluster.node(VICTIM);
            long killedAt = System.nanoTime();
            victim.kill9();
            List<Double> liveAt = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            long deadline = killedAt + WAIT.toNanos();
            while (seen.size() < CLIENTS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + seen.size() + " clients live again after " + WAIT);
                }
                double at = (System.nanoTime() - killedAt) / 1e9;
                for (int client : live(before)) {
                    if (seen.add(client)) {
                        liveAt.add(at);
                    }
                }
                Thread.sleep(20);
            }
            Thread.sleep(1000);
            double refused = simulator.rateLimited() - refusedBefore;
            double charged = simulator.chargedRequests(SHARED_ACCOUNT) - chargedBefore;
            victim.restart();
            victim.awaitStarted(WAIT);
            long joined = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < joined
                    && !cluster.all().stream()
                            .allMatch(n -> ThreeNodes.members(n).size() == 3)) {
                Thread.sleep(200);
            }
            return new double[] {liveAt.get(liveAt.size() - 1), Stats.median(liveAt), refused, charged};
        }

        void delete(Http http) throws InterruptedException {
            for (int c = 0; c < CLIENTS; c++) {
                http.delete("/api/clients/" + name(c));
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!simulator.sessions().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
    }
}
