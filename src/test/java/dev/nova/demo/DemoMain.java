package dev.nova.demo;

import dev.nova.simulator.ExchangeSimulator;
import dev.nova.simulator.SimulatorOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Starts the exchange simulator and one Nova node ({@code server run nova} from the build's Liberty runtime) whose
 * configured clients connect to it. Prints what to curl once the node is ready; Ctrl-C stops both.
 */
public final class DemoMain {

    private DemoMain() {}

    public static void main(String[] args) throws Exception {
        Path wlp = Path.of(System.getProperty("nova.demo.wlp", "target/liberty/wlp"));
        int httpPort = Integer.getInteger("nova.demo.port", 9080);
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
        ProcessBuilder node = new ProcessBuilder(wlp.resolve("bin/server").toString(), "run", "nova").inheritIO();
        node.environment()
                .putAll(Map.of(
                        "WLP_OUTPUT_DIR",
                        output.toString(),
                        "HTTP_PORT",
                        Integer.toString(httpPort),
                        "NOVA_NODE_NAME",
                        "demo",
                        "NOVA_CLIENTS",
                        "deribit-demo,binance-demo",
                        "NOVA_ADMIN_PASSWORD",
                        adminPassword,
                        "NOVA_READER_PASSWORD",
                        readerPassword,
                        // The key that seals the demo client's exchange secret (and would encrypt a cluster's traffic).
                        "NOVA_CLUSTER_SECRET",
                        "demo-cluster-secret-" + UUID.randomUUID()));
        node.environment()
                .putAll(Map.of(
                        "NOVA_CLIENT_DERIBIT_DEMO_PLATFORM", "deribit",
                        "NOVA_CLIENT_DERIBIT_DEMO_URL", simulator.deribitUrl(),
                        "NOVA_CLIENT_DERIBIT_DEMO_CHANNELS", "book.BTC-PERPETUAL.100ms,trades.BTC-PERPETUAL.raw",
                        "NOVA_CLIENT_DERIBIT_DEMO_CLIENT_ID", "demo-client-id",
                        "NOVA_CLIENT_DERIBIT_DEMO_CLIENT_SECRET", "demo-client-secret",
                        "NOVA_CLIENT_BINANCE_DEMO_PLATFORM", "binance",
                        "NOVA_CLIENT_BINANCE_DEMO_URL", simulator.binanceUrl(),
                        "NOVA_CLIENT_BINANCE_DEMO_CHANNELS", "btcusdt@trade,btcusdt@depth@100ms"));
        Process server = node.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.destroy();
            simulator.close();
        }));

        if (awaitReady(httpPort, server)) {
            String base = "http://localhost:" + httpPort;
            System.out.println();
            System.out.println("[demo] Nova is ready at " + base + ", reading the exchange simulator at "
                    + simulator.deribitUrl() + " (Deribit) and " + simulator.binanceUrl() + " (Binance).");
            System.out.println("[demo] API users of this run: admin / " + adminPassword + " (nova-admin), reader / "
                    + readerPassword + " (nova-reader)");
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
            System.out.println("[demo] Ctrl-C stops the node and the simulator.");
            System.out.println();
        }
        int exit = server.waitFor();
        simulator.close();
        System.exit(exit);
    }

    private static boolean awaitReady(int httpPort, Process server) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline && server.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        System.out.println("[demo] the node did not become ready; see " + "target/demo/nova/logs/messages.log");
        return false;
    }
}
