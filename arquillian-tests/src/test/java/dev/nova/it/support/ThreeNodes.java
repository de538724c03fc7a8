package dev.nova.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;

/**
 * Three Nova nodes from one build on loopback, in a cluster of their own (free ports, a unique name), in the
 * regions {@link #REGIONS}; started in parallel and shared by the tests of a class.
 */
public final class ThreeNodes implements AutoCloseable {

    public static final List<String> REGIONS = List.of("eu-west", "us-east", "ap-east");

    private final List<LibertyNode> nodes;

    private ThreeNodes(List<LibertyNode> nodes) {
        this.nodes = nodes;
    }

    /** Starts n1, n2, n3 with the common environment plus the cluster settings, and waits until all see 3 members. */
    public static ThreeNodes start(Map<String, String> common, Duration timeout) throws InterruptedException {
        return start(3, common, timeout);
    }

    /** Starts {@code count} nodes (at most 3) the same way, for tests that need fewer. */
    public static ThreeNodes start(int count, Map<String, String> common, Duration timeout)
            throws InterruptedException {
        return start(count, common, name -> Map.of(), timeout);
    }

    /** The same, each node with settings of its own ({@code own} of its name: n1, n2, n3) beside the common ones. */
    public static ThreeNodes start(
            int count, Map<String, String> common, Function<String, Map<String, String>> own, Duration timeout)
            throws InterruptedException {
        int base = ClusterPorts.allocate(count);
        String cluster = "it-" + System.nanoTime();
        List<String> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add("127.0.0.1[" + (base + i) + "]");
        }
        String hosts = String.join(",", members);
        List<CompletableFuture<LibertyNode>> starting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, String> env = new HashMap<>(common);
            env.put("NOVA_NODE_REGION", REGIONS.get(i));
            env.put("NOVA_CLUSTER_NAME", cluster);
            env.put("NOVA_CLUSTER_BIND_PORT", Integer.toString(base + i));
            env.put("NOVA_CLUSTER_FD_PORT_OFFSET", Integer.toString(ClusterPorts.FD_OFFSET));
            env.put("NOVA_CLUSTER_INITIAL_HOSTS", hosts);
            String name = "n" + (i + 1);
            env.putAll(own.apply(name));
            starting.add(CompletableFuture.supplyAsync(() -> LibertyNode.start(name, env, LibertyNode.freePort())));
        }
        ThreeNodes three = new ThreeNodes(LibertyNode.awaitAll(starting, timeout));
        try {
            Awaitility.await().atMost(timeout).until(() -> three.nodes.stream()
                    .allMatch(n -> members(n).size() == count));
            return three;
        } catch (RuntimeException | Error e) {
            // Never leave the nodes that did start running behind a failed start.
            three.close();
            throw e;
        }
    }

    /** Node 1, 2 or 3. */
    public LibertyNode node(int number) {
        return nodes.get(number - 1);
    }

    /** The node with this name. */
    public LibertyNode named(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    public List<LibertyNode> all() {
        return List.copyOf(nodes);
    }

    /** The members a node lists, or none when it does not answer. */
    public static List<String> members(LibertyNode node) {
        try {
            JsonNode cluster = node.http().get("/api/cluster").json();
            return StreamSupport.stream(cluster.path("nodes").spliterator(), false)
                    .map(n -> n.path("name").asText())
                    .toList();
        } catch (RuntimeException notAnswering) {
            return List.of();
        }
    }

    /** Stops every node, even when one of them fails to stop. */
    @Override
    public void close() {
        LibertyNode.closeAll(nodes);
    }
}
