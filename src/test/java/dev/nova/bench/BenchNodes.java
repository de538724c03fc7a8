package dev.nova.bench;

import dev.nova.it.support.LibertyNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Starting the nodes of a benchmark's own cluster, and waiting for it. */
final class BenchNodes {

    static final Duration WAIT = Duration.ofMinutes(3);

    private BenchNodes() {}

    /**
     * The environment every node of a benchmark's own cluster of {@code size} shares: a unique cluster name starting
     * with {@code name}, the initial hosts on loopback from port {@code base}, the tests' failure-detection offset.
     */
    static Map<String, String> cluster(String name, int base, int size) {
        Map<String, String> common = new HashMap<>();
        common.put("NOVA_CLUSTER_NAME", name + "-" + System.nanoTime());
        StringBuilder hosts = new StringBuilder();
        for (int i = 0; i < size; i++) {
            hosts.append(i == 0 ? "" : ",")
                    .append("127.0.0.1[")
                    .append(base + i)
                    .append(']');
        }
        common.put("NOVA_CLUSTER_INITIAL_HOSTS", hosts.toString());
        common.put("NOVA_CLUSTER_FD_PORT_OFFSET", Integer.toString(dev.nova.it.support.ClusterPorts.FD_OFFSET));
        return common;
    }

    /**
     * Starts node {@code number} (from 1) named {@code prefix + number} in region eu-west, its cluster port {@code
     * base + number - 1}, and waits until it has started.
     */
    static LibertyNode start(Map<String, String> common, int base, int number, String prefix) {
        Map<String, String> env = new HashMap<>(common);
        env.put("NOVA_NODE_REGION", "eu-west");
        env.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(base + number - 1));
        LibertyNode node = LibertyNode.start(prefix + number, env, LibertyNode.freePort());
        try {
            return node.awaitStarted(WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls {@code condition} every 100 ms until it holds; fails after {@link #WAIT}. */
    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + WAIT);
            }
            Thread.sleep(100);
        }
    }
}
