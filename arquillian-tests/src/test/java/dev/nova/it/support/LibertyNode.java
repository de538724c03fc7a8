package dev.nova.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Nova node as an operator runs it: the server {@code nova} of the build's Liberty runtime, started with its own
 * {@code WLP_OUTPUT_DIR}, HTTP port and environment (README, "Running several nodes from one build").
 */
public final class LibertyNode implements AutoCloseable {

    /**
     * The cluster secret of every node this test run starts, unless a test sets its own ({@code ""} for none): the
     * nodes of one run form clusters as before, and a node of another run never joins them.
     */
    public static final String CLUSTER_SECRET = "it-cluster-secret-" + UUID.randomUUID();

    private final String name;
    private final Path wlp;
    private final Path output;
    private final int httpPort;
    private final Http http;
    private volatile Map<String, String> environment;
    private final List<String> prefix;

    private LibertyNode(
            String name,
            Path wlp,
            Path output,
            String host,
            int httpPort,
            Map<String, String> environment,
            List<String> prefix) {
        this.name = name;
        this.wlp = wlp;
        this.output = output;
        this.httpPort = httpPort;
        String https = environment.getOrDefault("HTTPS_PORT", "-1");
        this.http = new Http(
                "http://" + host + ":" + httpPort, https.equals("-1") ? null : "https://" + host + ":" + https);
        this.environment = environment;
        this.prefix = prefix;
    }

    /**
     * Starts a node alone in a cluster of its own (free JGroups ports, a unique cluster name) and returns once
     * Liberty reports the server started (the application may still be starting).
     */
    public static LibertyNode start(String name, Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(environment);
        if (!env.containsKey("NOVA_CLUSTER_BIND_PORT")) {
            int port = ClusterPorts.allocate(1);
            env.put("NOVA_CLUSTER_NAME", "it-" + name + "-" + System.nanoTime());
            env.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(port));
            env.put("NOVA_CLUSTER_FD_PORT_OFFSET", Integer.toString(ClusterPorts.FD_OFFSET));
        }
        return start(name, env, freePort());
    }

    /** Starts a node with exactly the given environment (cluster settings included). */
    public static LibertyNode start(String name, Map<String, String> environment, int httpPort) {
        return start(name, environment, "127.0.0.1", httpPort, List.of());
    }

    /**
     * Starts a node listening for HTTP on {@code host}, its server command run behind {@code prefix} (e.g.
     * {@code ip netns exec ns}, so that the server lives in a network namespace).
     */
    public static LibertyNode start(
            String name, Map<String, String> environment, String host, int httpPort, List<String> prefix) {
        Path wlp = Path.of(System.getProperty("nova.it.wlp", "target/liberty/wlp"));
        Path output = Path.of(System.getProperty("nova.it.work", "target/it-nodes"))
                .resolve(name + "-" + System.currentTimeMillis());
        Map<String, String> env = new HashMap<>(environment);
        env.putIfAbsent("NOVA_NODE_NAME", name);
        env.put("HTTP_PORT", Integer.toString(httpPort));
        env.put("HTTP_HOST", host);
        env.putIfAbsent("HTTPS_PORT", Integer.toString(freePort()));
        // The build gives the tests' nodes a faster start (pom.xml, nova.it.jvm-args); benchmarks keep the defaults.
        env.putIfAbsent("JVM_ARGS", System.getProperty("nova.it.jvm-args", "-Xmx512m"));
        // A consumer that went away leaves its SSE stream open on the server until a keep-alive write fails, and
        // Liberty's stop waits up to 30 s for open requests: with 1 s keep-alives a stop does not wait on them.
        env.putIfAbsent("NOVA_STREAM_KEEP_ALIVE", "1000");
        env.putIfAbsent("NOVA_CLUSTER_SECRET", CLUSTER_SECRET);
        env.putIfAbsent("NOVA_ADMIN_PASSWORD", ApiUsers.ADMIN_PASSWORD);
        env.putIfAbsent("NOVA_READER_PASSWORD", ApiUsers.READER_PASSWORD);
        LibertyNode node = new LibertyNode(name, wlp, output, host, httpPort, Map.copyOf(env), List.copyOf(prefix));
        node.server("start", env, Duration.ofMinutes(3));
        return node;
    }

    /** Starts the node again, same name, ports and environment (after {@link #kill9()} or {@link #close()}). */
    public void restart() {
        server("start", environment, Duration.ofMinutes(3));
    }

    /** Starts the node again with some of its environment changed (e.g. a rotated secret); {@code ""} unsets a key. */
    public void restart(Map<String, String> changes) {
        Map<String, String> env = new HashMap<>(environment);
        env.putAll(changes);
        environment = Map.copyOf(env);
        restart();
    }

    /** The environment the node was last started with. */
    public Map<String, String> environment() {
        return environment;
    }

    /** Sends a signal to the server process: {@code STOP} hangs it, {@code CONT} resumes it. */
    public void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed for node " + name);
        }
    }

    /** The server process id. */
    public long pid() throws IOException {
        return Long.parseLong(Files.readString(output.resolve(".pid/nova.pid")).trim());
    }

    /** Kills the server process at once (SIGKILL), as a crash would. */
    public void kill9() throws IOException {
        long pid =
                Long.parseLong(Files.readString(output.resolve(".pid/nova.pid")).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
    }

    public String name() {
        return name;
    }

    public Http http() {
        return http;
    }

    public Path messagesLog() {
        return output.resolve("nova/logs/messages.log");
    }

    public String log() {
        try {
            return Files.exists(messagesLog()) ? Files.readString(messagesLog()) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for nodes being started in parallel until each reports the application started; when one fails, stops
     * every one that did start (never leaves servers running behind a failed start) and rethrows.
     */
    public static List<LibertyNode> awaitAll(List<CompletableFuture<LibertyNode>> starting, Duration timeout)
            throws InterruptedException {
        List<LibertyNode> nodes = new ArrayList<>();
        RuntimeException failed = null;
        for (CompletableFuture<LibertyNode> node : starting) {
            try {
                nodes.add(node.join());
            } catch (RuntimeException e) {
                failed = e;
            }
        }
        try {
            if (failed != null) {
                throw failed;
            }
            for (LibertyNode node : nodes) {
                node.awaitStarted(timeout);
            }
            return nodes;
        } catch (RuntimeException | Error | InterruptedException e) {
            Fixtures.close(nodes.toArray(AutoCloseable[]::new));
            throw e;
        }
    }

    /** Waits until MicroProfile Health reports the application started. */
    public LibertyNode awaitStarted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.get("/health/started").status() == 200) {
                    return this;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("node " + name + " did not start within " + timeout + "; log:\n" + log());
    }

    @Override
    public void close() {
        server("stop", Map.of(), Duration.ofMinutes(1));
    }

    private void server(String action, Map<String, String> environment, Duration timeout) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(wlp.resolve("bin/server").toAbsolutePath().toString(), action, "nova"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        builder.environment().put("WLP_OUTPUT_DIR", output.toAbsolutePath().toString());
        builder.redirectErrorStream(true);
        builder.redirectOutput(output.resolveSibling(output.getFileName() + "-" + action + ".out")
                .toFile());
        try {
            Files.createDirectories(output);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("server " + action + " " + name + " took longer than " + timeout);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stops the nodes at the same time (a stop takes about 5 s, most of it the cluster's graceful leave), each even
     * when another fails to stop.
     */
    public static void closeAll(List<LibertyNode> nodes) {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (LibertyNode node : nodes) {
            stopping.add(CompletableFuture.runAsync(node::close));
        }
        for (int i = 0; i < stopping.size(); i++) {
            try {
                stopping.get(i).join();
            } catch (RuntimeException | Error e) {
                System.err.println("could not stop " + nodes.get(i).name() + ": " + e);
            }
        }
    }

    /**
     * A port free right now on loopback, never a fixed one on a shared machine, and outside the range the kernel
     * gives outgoing connections: Liberty binds it only once the application has started ({@link
     * ClusterPorts#listenPort}).
     */
    public static int freePort() {
        return ClusterPorts.listenPort();
    }
}
