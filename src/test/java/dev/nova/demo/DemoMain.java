package dev.nova.demo;

import dev.nova.it.support.ClusterPorts;
import dev.nova.it.support.LibertyNode;
import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Starts the exchange simulator and one Nova node ({@code server run nova} from the build's Liberty runtime), or a
 * cluster of up to three ({@code -Dnova.demo.nodes=3}, regions eu-west, us-east, ap-east, free ports), whose
 * declared clients connect to it. Prints the dashboards, the users, what to curl and how to kill a node once every
 * node is ready; Ctrl-C stops everything.
 */
public final class DemoMain {

    /** The regions of the demo's nodes, in order. */
    private static final List<String> REGIONS = List.of("eu-west", "us-east", "ap-east");

    private DemoMain() {}

    public static void main(String[] args) throws Exception {
        Path wlp = Path.of(System.getProperty("nova.demo.wlp", "target/liberty/wlp"));
        int httpPort = Integer.getInteger("nova.demo.port", 9080);
        int nodes = Integer.getInteger("nova.demo.nodes", 1);
        if (nodes < 1 || nodes > REGIONS.size()) {
            throw new IllegalArgumentException("nova.demo.nodes must be 1 to " + REGIONS.size() + ", not " + nodes);
        }
        int simulatorPort = Integer.getInteger("nova.demo.simulator-port", 0);
        Path output =
                Path.of(System.getProperty("nova.demo.output", "target/demo")).toAbsolutePath();
        Files.createDirectories(output);

        ExchangeSimulator simulator = ExchangeSimulator.start(SimulatorOptions.defaults()
                .port(simulatorPort)
                .messagesPerSecond(2)
                .credentials("demo-client-id", "demo-client-secret"));
        System.out.println(
                "[demo] exchange simulator: Deribit " + simulator.deribitUrl() + ", Binance " + simulator.binanceUrl());

        // No default password exists: the demo makes one per run for each API user and prints them.
        String adminPassword = "demo-admin-" + UUID.randomUUID().toString().substring(0, 8);
        String readerPassword = "demo-reader-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> common = new HashMap<>(Map.of(
                "NOVA_ADMIN_PASSWORD",
                adminPassword,
                "NOVA_READER_PASSWORD",
                readerPassword,
                // The key that seals the demo clients' exchange secrets and encrypts the cluster's traffic.
                "NOVA_CLUSTER_SECRET",
                "demo-cluster-secret-" + UUID.randomUUID(),
                "NOVA_CLUSTER_NAME",
                "nova-demo-" + UUID.randomUUID().toString().substring(0, 8),
                "NOVA_CLUSTER_FD_PORT_OFFSET",
                Integer.toString(ClusterPorts.FD_OFFSET)));
        common.putAll(clients(simulator, nodes));
        if (nodes > 1) {
            // The first node up creates every declared client; least_connections then spreads them over the others.
            common.put("NOVA_LOADBALANCING_STRATEGY", "least_connections");
            common.put("NOVA_LOADBALANCING_REBALANCE_INTERVAL", "5000");
        }

        int clusterBase = ClusterPorts.allocate(nodes);
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            hosts.add("127.0.0.1[" + (clusterBase + i) + "]");
        }
        common.put("NOVA_CLUSTER_INITIAL_HOSTS", String.join(",", hosts));
        List<Node> started = new CopyOnWriteArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(started, simulator)));
        for (int i = 0; i < nodes; i++) {
            String name = nodes == 1 ? "demo" : "n" + (i + 1);
            int port = i == 0 ? httpPort : freePort(httpPort + i);
            if (i == 0 && port != freePort(port)) {
                System.out.println("[demo] port " + port + " is taken: choose another with -Dnova.demo.port=9090");
                stopAll(started, simulator);
                System.exit(1);
            }
            Map<String, String> env = new HashMap<>(common);
            env.put("WLP_OUTPUT_DIR", output.resolve(name).toString());
            env.put("HTTP_PORT", Integer.toString(port));
            env.put("HTTPS_PORT", Integer.toString(freePort(port + 363)));
            env.put("NOVA_NODE_NAME", name);
            env.put("NOVA_NODE_REGION", REGIONS.get(i % REGIONS.size()));
            env.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(clusterBase + i));
            ProcessBuilder node = new ProcessBuilder(wlp.resolve("bin/server").toString(), "run", "nova").inheritIO();
            node.environment().putAll(env);
            started.add(new Node(name, REGIONS.get(i % REGIONS.size()), port, node.start(), output.resolve(name)));
        }

        boolean ready = true;
        for (Node node : started) {
            ready &= awaitReady(node);
        }
        if (!ready) {
            stopAll(started, simulator);
            System.exit(1);
        }
        explain(started, simulator, adminPassword, readerPassword);
        // A node killed on purpose does not end the demo: it ends when every node has stopped (Ctrl-C).
        int exit = 0;
        for (Node node : started) {
            exit = Math.max(exit, node.process().waitFor());
        }
        simulator.close();
        System.exit(exit);
    }

    /** Stops every node (SIGTERM: Liberty stops the server) and waits for them, then the simulator. */
    private static void stopAll(List<Node> nodes, ExchangeSimulator simulator) {
        nodes.forEach(node -> node.process().destroy());
        for (Node node : nodes) {
            try {
                node.process().waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        simulator.close();
    }

    /** A node the demo started: its server process and where it writes. */
    private record Node(String name, String region, int httpPort, Process process, Path output) {

        String base() {
            return "http://localhost:" + httpPort;
        }
    }

    /** The declared clients, on both platforms: two per node, so that each node runs some and a kill shows a takeover. */
    private static Map<String, String> clients(ExchangeSimulator simulator, int nodes) {
        Map<String, String> env = new HashMap<>();
        List<String> names = new ArrayList<>(List.of("deribit-demo", "binance-demo"));
        env.putAll(Map.of(
                "NOVA_CLIENT_DERIBIT_DEMO_PLATFORM", "deribit",
                "NOVA_CLIENT_DERIBIT_DEMO_URL", simulator.deribitUrl(),
                "NOVA_CLIENT_DERIBIT_DEMO_CHANNELS", "book.BTC-PERPETUAL.100ms,trades.BTC-PERPETUAL.raw",
                "NOVA_CLIENT_DERIBIT_DEMO_CLIENT_ID", "demo-client-id",
                "NOVA_CLIENT_DERIBIT_DEMO_CLIENT_SECRET", "demo-client-secret",
                "NOVA_CLIENT_BINANCE_DEMO_PLATFORM", "binance",
                "NOVA_CLIENT_BINANCE_DEMO_URL", simulator.binanceUrl(),
                "NOVA_CLIENT_BINANCE_DEMO_CHANNELS", "btcusdt@trade,btcusdt@depth@100ms"));
        List<String> coins = List.of("ETH", "SOL", "XRP", "ADA", "DOGE");
        for (int i = 1; i < nodes && i <= coins.size(); i++) {
            String coin = coins.get(i - 1);
            String deribit = "deribit-" + coin.toLowerCase(Locale.ROOT);
            String binance = "binance-" + coin.toLowerCase(Locale.ROOT);
            names.add(deribit);
            names.add(binance);
            String d = "NOVA_CLIENT_DERIBIT_" + coin + "_";
            String b = "NOVA_CLIENT_BINANCE_" + coin + "_";
            env.putAll(Map.of(
                    d + "PLATFORM",
                    "deribit",
                    d + "URL",
                    simulator.deribitUrl(),
                    d + "CHANNELS",
                    "trades." + coin + "-PERPETUAL.raw",
                    b + "PLATFORM",
                    "binance",
                    b + "URL",
                    simulator.binanceUrl(),
                    b + "CHANNELS",
                    coin.toLowerCase(Locale.ROOT) + "usdt@trade"));
        }
        env.put("NOVA_CLIENTS", String.join(",", names));
        return env;
    }

    private static void explain(
            List<Node> nodes, ExchangeSimulator simulator, String adminPassword, String readerPassword)
            throws IOException {
        Node first = nodes.get(0);
        String base = first.base();
        System.out.println();
        System.out.println("[demo] Nova is ready: " + nodes.size() + (nodes.size() == 1 ? " node" : " nodes")
                + ", reading the exchange simulator at " + simulator.deribitUrl() + " (Deribit) and "
                + simulator.binanceUrl() + " (Binance).");
        for (Node node : nodes) {
            System.out.println("[demo]   " + node.name() + " (" + node.region() + "): dashboard " + node.base() + "/");
        }
        System.out.println("[demo] API users of this run: admin / " + adminPassword + " (nova-admin), reader / "
                + readerPassword + " (nova-reader); the dashboard asks for them.");
        if (nodes.size() > 1) {
            Node victim = nodes.get(1);
            System.out.println("[demo] Kill a node and watch its clients fail over on the dashboard of " + base + "/:");
            System.out.println("  kill -9 " + victim.process().pid() + "   # node " + victim.name());
        }
        String reader = " -u reader:" + readerPassword + " ";
        String admin = " -u admin:" + adminPassword + " ";
        System.out.println("[demo] Try, in another terminal:");
        System.out.println("  curl -N" + reader + "'" + base + "/api/stream?channel=trades.BTC-PERPETUAL.raw'");
        System.out.println("  curl -N" + reader + "'" + base + "/api/stream?channel=btcusdt@depth@100ms'");
        System.out.println("  curl -s" + reader + base + "/api/clients");
        System.out.println("  curl -s " + base + "/health");
        System.out.println(
                "  curl -s" + admin + "-X POST " + base + "/api/clients -H 'Content-Type: application/json' -d '"
                        + "{\"name\":\"my-binance\",\"platform\":\"binance\",\"url\":\"" + simulator.binanceUrl()
                        + "\",\"channels\":[\"ethusdt@trade\"]}'");
        System.out.println("[demo] Ctrl-C stops the " + (nodes.size() == 1 ? "node" : "nodes") + " and the simulator.");
        System.out.println();
    }

    /** {@code preferred} when nothing listens there, else a port the system picks. */
    private static int freePort(int preferred) {
        try (ServerSocket socket = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return preferred;
        } catch (IOException taken) {
            return LibertyNode.freePort();
        }
    }

    private static boolean awaitReady(Node node) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(node.base() + "/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline && node.process().isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        System.out.println("[demo] node " + node.name() + " did not become ready; see "
                + node.output().resolve("nova/logs/messages.log"));
        return false;
    }
}
