package dev.nova.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks JGroups ports for test nodes on loopback: a random run of consecutive ports, plus the FD_SOCK2 port of
 * each at {@link #FD_OFFSET} above it, all free right now. Never JGroups' default 7800: the machine is shared.
 */
public final class ClusterPorts {

    /** The {@code nova.cluster.fd-port-offset} the tests use. */
    public static final int FD_OFFSET = 100;

    private ClusterPorts() {}

    /** The first of {@code count} consecutive JGroups ports whose FD_SOCK2 ports are free too. */
    public static int allocate(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 55_000);
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ports.add(base + i);
                ports.add(base + i + FD_OFFSET);
            }
            if (ports.stream().allMatch(ClusterPorts::free)) {
                return base;
            }
        }
        throw new IllegalStateException("no free run of ports for JGroups on loopback");
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
