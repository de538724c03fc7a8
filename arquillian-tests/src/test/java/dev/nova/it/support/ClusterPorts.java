package dev.nova.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks ports for test nodes on loopback: a random run of consecutive JGroups ports, plus the FD_SOCK2 port of each at
 * {@link #FD_OFFSET} above it, and single listening ports (HTTP, HTTPS), all free right now. Never JGroups' default
 * 7800: the machine is shared. Outside the kernel's range for the local ports of outgoing connections: a node binds
 * its ports seconds after they are picked, and a port in that range could meanwhile be taken by any connection
 * opened on the machine (it happened: a node's HTTP port, picked by the OS, was taken before Liberty bound it). A
 * port is handed out once per JVM, so that nodes started together never get the same one.
 */
public final class ClusterPorts {

    /** The {@code nova.cluster.fd-port-offset} the tests use. */
    public static final int FD_OFFSET = 100;

    /** Ports below this are left alone (well-known and registered services). */
    private static final int LOWEST = 10_000;

    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private ClusterPorts() {}

    /** The first of {@code count} consecutive JGroups ports whose FD_SOCK2 ports are free too. */
    public static int allocate(int count) {
        int[] range = range(count + FD_OFFSET);
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(range[0], range[1]);
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ports.add(base + i);
                ports.add(base + i + FD_OFFSET);
            }
            if (ports.stream().allMatch(ClusterPorts::free) && give(ports)) {
                return base;
            }
        }
        throw new IllegalStateException("no free run of ports for JGroups on loopback");
    }

    /** One port for a listener (a node's HTTP or HTTPS port), free right now. */
    public static int listenPort() {
        int[] range = range(1);
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(range[0], range[1]);
            if (free(port) && give(List.of(port))) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on loopback");
    }

    /** Marks the ports handed out; false, and none marked, when one of them was handed out before. */
    private static synchronized boolean give(List<Integer> ports) {
        if (ports.stream().anyMatch(GIVEN::contains)) {
            return false;
        }
        GIVEN.addAll(ports);
        return true;
    }

    /**
     * Where to pick a run of {@code span} ports: below the kernel's ephemeral range, else above it, else (no room on
     * either side) anywhere from 20,000 to 55,000 as before.
     */
    static int[] range(int span) {
        int[] ephemeral = ephemeralRange();
        if (ephemeral[0] - span - LOWEST >= 1_000) {
            return new int[] {LOWEST, ephemeral[0] - span};
        }
        if (65_535 - span - ephemeral[1] >= 1_000) {
            return new int[] {ephemeral[1] + 1, 65_536 - span};
        }
        return new int[] {20_000, 55_000};
    }

    /** {@code /proc/sys/net/ipv4/ip_local_port_range}; Linux's default when it cannot be read. */
    static int[] ephemeralRange() {
        try {
            String[] bounds = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .trim()
                    .split("\\s+");
            return new int[] {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999};
        }
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
