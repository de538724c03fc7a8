package dev.nova.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Real network partitions on one machine: a Linux network namespace per node, each with two links, one to a cluster
 * bridge (JGroups) and one to an application bridge (REST and the exchange, where the host has the address
 * {@link #hostAddress()}). Cutting a node's cluster link ({@link #cut}) drops its cluster packets while it keeps
 * running and reaching the exchange; {@link #heal} puts the link back. {@link #split} divides the cluster network
 * into two sides that each stay connected, {@link #join} ends that. Namespaces, bridges and /24 subnets get names
 * and numbers of their own per lab (never another test's), and {@link #close} removes them, also from a shutdown hook
 * when the test JVM dies. Needs root (CI runs as root) and iproute2.
 */
public final class NetworkLab implements AutoCloseable {

    private final String tag;
    private final int nodes;
    private final String clusterNet;
    private final String appNet;
    private final Thread cleanup;
    private boolean closed;
    private boolean secondBridge;

    private NetworkLab(String tag, int nodes, String clusterNet, String appNet) {
        this.tag = tag;
        this.nodes = nodes;
        this.clusterNet = clusterNet;
        this.appNet = appNet;
        this.cleanup = new Thread(this::remove, "network-lab-cleanup-" + tag);
    }

    /** Builds namespaces for {@code nodes} nodes; fails (never skips) when the machine cannot. */
    public static NetworkLab create(int nodes) {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the partition tests need root for network namespaces (CI runs as root)");
        }
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        String used = run(false, "ip", "-o", "addr") + run(false, "ip", "route");
        String clusterNet = null;
        String appNet = null;
        for (int attempt = 0; attempt < 100 && appNet == null; attempt++) {
            int a = ThreadLocalRandom.current().nextInt(100, 250);
            int b = ThreadLocalRandom.current().nextInt(0, 254);
            String one = "10." + a + "." + b;
            String two = "10." + a + "." + (b + 1);
            if (!used.contains(one + ".") && !used.contains(two + ".")) {
                clusterNet = one;
                appNet = two;
            }
        }
        if (appNet == null) {
            throw new IllegalStateException("no free pair of /24 subnets in 10.100-249.x");
        }
        NetworkLab lab = new NetworkLab(tag, nodes, clusterNet, appNet);
        Runtime.getRuntime().addShutdownHook(lab.cleanup);
        try {
            lab.build();
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build() {
        run(true, "ip", "link", "add", clusterBridge(), "type", "bridge");
        run(true, "ip", "link", "set", clusterBridge(), "up");
        run(true, "ip", "link", "add", appBridge(), "type", "bridge");
        run(true, "ip", "addr", "add", hostAddress() + "/24", "dev", appBridge());
        run(true, "ip", "link", "set", appBridge(), "up");
        for (int i = 1; i <= nodes; i++) {
            String ns = namespace(i);
            run(true, "ip", "netns", "add", ns);
            run(true, "ip", "link", "add", clusterVeth(i), "type", "veth", "peer", "name", "c0", "netns", ns);
            run(true, "ip", "link", "add", appVeth(i), "type", "veth", "peer", "name", "a0", "netns", ns);
            run(true, "ip", "link", "set", clusterVeth(i), "master", clusterBridge(), "up");
            run(true, "ip", "link", "set", appVeth(i), "master", appBridge(), "up");
            run(true, "ip", "netns", "exec", ns, "ip", "addr", "add", clusterAddress(i) + "/24", "dev", "c0");
            run(true, "ip", "netns", "exec", ns, "ip", "addr", "add", appAddress(i) + "/24", "dev", "a0");
            for (String device : List.of("lo", "c0", "a0")) {
                run(true, "ip", "netns", "exec", ns, "ip", "link", "set", device, "up");
            }
        }
    }

    /** Node {@code i}'s cluster packets are dropped from now on (its link is down; the process keeps running). */
    public void cut(int i) {
        run(true, "ip", "link", "set", clusterVeth(i), "down");
    }

    /** Node {@code i}'s cluster link is back. */
    public void heal(int i) {
        run(true, "ip", "link", "set", clusterVeth(i), "up");
    }

    /**
     * Splits the cluster network in two: the cluster links of the nodes in {@code side} move to a bridge of their
     * own, so they keep reaching each other and nothing of the others (an even split is two sides, not singletons).
     */
    public synchronized void split(Collection<Integer> side) {
        if (!secondBridge) {
            run(true, "ip", "link", "add", secondClusterBridge(), "type", "bridge");
            run(true, "ip", "link", "set", secondClusterBridge(), "up");
            secondBridge = true;
        }
        for (int i : side) {
            run(true, "ip", "link", "set", clusterVeth(i), "master", secondClusterBridge());
        }
    }

    /** Every node's cluster link back on the one cluster bridge (ends a {@link #split}). */
    public synchronized void join() {
        for (int i = 1; i <= nodes; i++) {
            run(true, "ip", "link", "set", clusterVeth(i), "master", clusterBridge());
        }
    }

    /**
     * Slows node {@code i}'s cluster link ({@code tc netem}: delay and loss on what it sends); false when the kernel
     * has no netem (then nothing changed).
     */
    public boolean slow(int i, int delayMs, int lossPercent) {
        String output = run(
                false,
                "ip",
                "netns",
                "exec",
                namespace(i),
                "tc",
                "qdisc",
                "replace",
                "dev",
                "c0",
                "root",
                "netem",
                "delay",
                delayMs + "ms",
                "loss",
                lossPercent + "%");
        return output.isBlank();
    }

    /** Node {@code i}'s cluster link at full speed again. */
    public void unslow(int i) {
        run(false, "ip", "netns", "exec", namespace(i), "tc", "qdisc", "del", "dev", "c0", "root");
    }

    /** The command prefix that runs a program inside node {@code i}'s namespace. */
    public List<String> inside(int i) {
        return List.of("ip", "netns", "exec", namespace(i));
    }

    /** The host's address on the application bridge: where the exchange simulator listens. */
    public String hostAddress() {
        return appNet + ".254";
    }

    /** Node {@code i}'s address for JGroups. */
    public String clusterAddress(int i) {
        return clusterNet + "." + i;
    }

    /** Node {@code i}'s address for REST and the exchange. */
    public String appAddress(int i) {
        return appNet + "." + i;
    }

    private String namespace(int i) {
        return "nv" + tag + "n" + i;
    }

    private String clusterVeth(int i) {
        return "nv" + tag + "c" + i;
    }

    private String appVeth(int i) {
        return "nv" + tag + "a" + i;
    }

    private String clusterBridge() {
        return "nv" + tag + "bc";
    }

    private String secondClusterBridge() {
        return "nv" + tag + "bd";
    }

    private String appBridge() {
        return "nv" + tag + "ba";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** Removes every namespace, veth and bridge of this lab; what is already gone is skipped. */
    private synchronized void remove() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 1; i <= nodes; i++) {
            run(false, "ip", "netns", "del", namespace(i));
            run(false, "ip", "link", "del", clusterVeth(i));
            run(false, "ip", "link", "del", appVeth(i));
        }
        run(false, "ip", "link", "del", clusterBridge());
        run(false, "ip", "link", "del", secondClusterBridge());
        run(false, "ip", "link", "del", appBridge());
    }

    @Override
    public String toString() {
        return "network lab " + tag + " (cluster " + clusterNet + ".0/24, app " + appNet + ".0/24)";
    }

    private static String run(boolean check, String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
            if (check && process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output.trim());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
