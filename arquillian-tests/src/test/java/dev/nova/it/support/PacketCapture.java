package dev.nova.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * tcpdump on the loopback interface for some TCP ports (both directions), written to a pcap file under
 * {@code target/}: what a process on the machine could read from the cluster's connections. Needs tcpdump (installed by
 * {@code .ci/run}) and root.
 */
public final class PacketCapture implements AutoCloseable {

    private final Process tcpdump;
    private final Path file;

    private PacketCapture(Process tcpdump, Path file) {
        this.tcpdump = tcpdump;
        this.file = file;
    }

    /** Starts capturing every TCP segment from or to one of {@code ports} on {@code lo}; returns once it listens. */
    public static PacketCapture start(Path file, List<Integer> ports) throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        String filter = "tcp and (" + ports.stream().map(p -> "port " + p).collect(Collectors.joining(" or ")) + ")";
        List<String> command = new ArrayList<>(List.of("tcpdump", "-i", "lo", "-U", "-s", "0", "-w"));
        command.add(file.toString());
        command.add(filter);
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<Boolean> listening = new CompletableFuture<>();
        // Reads tcpdump's stderr to its end, so that it never blocks on a full pipe or dies writing its summary.
        Thread reader = new Thread(() -> {
            try (BufferedReader err =
                    new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    if (line.contains("listening on")) {
                        listening.complete(true);
                    }
                }
            } catch (IOException e) {
                // The process ended.
            }
            listening.complete(false);
        });
        reader.setDaemon(true);
        reader.start();
        try {
            if (!listening.get(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("tcpdump did not start: exit " + process.waitFor());
            }
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("tcpdump did not start listening", e);
        }
        return new PacketCapture(process, file);
    }

    /** Stops the capture (tcpdump flushes on SIGTERM) and returns everything it wrote. */
    public byte[] stop() throws IOException, InterruptedException {
        tcpdump.destroy();
        if (!tcpdump.waitFor(10, TimeUnit.SECONDS)) {
            tcpdump.destroyForcibly();
        }
        return Files.readAllBytes(file);
    }

    /** Whether {@code needle} occurs anywhere in {@code bytes} (as UTF-8). */
    public static boolean contains(byte[] bytes, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i <= bytes.length - n.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (bytes[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        tcpdump.destroyForcibly();
    }
}
