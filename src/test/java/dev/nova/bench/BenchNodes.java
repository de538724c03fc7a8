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
