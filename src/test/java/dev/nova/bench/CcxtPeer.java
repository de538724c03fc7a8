package dev.nova.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A peer to compare Nova's ingest with: ccxt's streaming client ({@code watchTrades}, once ccxt.pro, in the npm
 * package {@code ccxt}) reading the same simulator feed in a Node process of its own, so that its trades per second
 * and its CPU per trade ({@link #pid()} for {@link ThreadCpu}) are measured in the same run. The process runs
 * {@code ccxt-trades.mjs} from the directory named by the system property {@code bench.peer-dir} (default
 * {@code target/peer}, where {@code mvn -Pbench verify} installs {@code src/test/peer}) with {@code node} (or the
 * system property {@code bench.node}); its stderr goes to this process's stderr. It makes no HTTP request: the
 * markets are preset and ccxt's REST is disabled, so nothing reaches the real exchanges. ccxt's Deribit handler
 * (4.5.84) starts a new trade cache on every message and so loses every trade that arrives while the caller is not
 * waiting; the script keeps the cache as ccxt's Binance handler does (see there), so that every trade is delivered.
 */
final class CcxtPeer implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private CcxtPeer(List<String> arguments, String apiKey, String secret) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("bench.peer-dir", "target/peer"));
        Path script = dir.resolve("ccxt-trades.mjs");
        if (!Files.isRegularFile(script) || !Files.isDirectory(dir.resolve("node_modules/ccxt"))) {
            throw new IllegalStateException("no installed ccxt peer in " + dir.toAbsolutePath()
                    + " (copy src/test/peer there and run npm ci, as mvn -Pbench verify does)");
        }
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("bench.node", "node"));
        command.add(script.toAbsolutePath().toString());
        command.addAll(arguments);
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (apiKey != null) {
            // in the environment, not on the command line that every process can read
            builder.environment().put("CCXT_PEER_API_KEY", apiKey);
            builder.environment().put("CCXT_PEER_SECRET", secret);
        }
        process = builder.start();
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readLines, "ccxt-peer-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        String first = lines.poll(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!"ready".equals(first)) {
            close();
            throw new IllegalStateException("the ccxt peer did not get ready (" + (first == null ? "no answer" : first)
                    + "); exit status " + (process.isAlive() ? "none" : process.exitValue()));
        }
    }

    /**
     * Starts ccxt's Deribit client on {@code url} ({@code ws://127.0.0.1:<port>/ws/api/v2}) watching the trades of
     * the instruments (Deribit ids such as {@code BTC-PERPETUAL}) on their {@code trades.<id>.raw} channels; ccxt
     * authenticates for those with a {@code client_signature} grant of the key pair. Returns once the exchange has
     * confirmed every subscription.
     */
    static CcxtPeer deribit(String url, List<String> instruments, String clientId, String clientSecret)
            throws IOException, InterruptedException {
        return new CcxtPeer(
                List.of("--exchange", "deribit", "--url", url, "--instruments", String.join(",", instruments)),
                clientId,
                clientSecret);
    }

    /**
     * Starts ccxt's Binance spot client on {@code url} ({@code ws://127.0.0.1:<port>/stream}) watching the
     * {@code <symbol>@trade} streams of the symbols (Binance ids such as {@code BTCUSDT}). Returns once the exchange
     * has confirmed every subscription.
     */
    static CcxtPeer binance(String url, List<String> symbols) throws IOException, InterruptedException {
        return new CcxtPeer(
                List.of("--exchange", "binance", "--url", url, "--instruments", String.join(",", symbols)), null, null);
    }

    private void readLines() {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.equals("ready") || line.startsWith("count ")) {
                    lines.add(line);
                } else {
                    System.err.println("ccxt peer: " + line); // ccxt's own output, not the protocol
                }
            }
        } catch (IOException ended) {
            // the process is gone
        }
    }

    /** The installed ccxt's version, from its package.json ("unknown" when it cannot be read). */
    static String version() {
        Path manifest =
                Path.of(System.getProperty("bench.peer-dir", "target/peer"), "node_modules", "ccxt", "package.json");
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(Files.readString(manifest));
            return m.find() ? m.group(1) : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** What {@code node --version} prints, without its leading v. */
    static String nodeVersion() {
        try {
            Process p = new ProcessBuilder(System.getProperty("bench.node", "node"), "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out.startsWith("v") ? out.substring(1) : out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** The trades ccxt has delivered to the peer's watchTrades loops so far. */
    synchronized long messages() throws IOException, InterruptedException {
        commands.write("count\n");
        commands.flush();
        String answer = lines.poll(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (answer == null || !answer.startsWith("count ")) {
            throw new IllegalStateException("the ccxt peer answered " + answer + " to count"
                    + (process.isAlive() ? "" : " and exited with " + process.exitValue()));
        }
        return Long.parseLong(answer.substring("count ".length()));
    }

    /** Asks every 10 ms (the peer's CPU includes answering) until ccxt has delivered {@code count} trades. */
    boolean awaitMessages(long count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (messages() < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** The Node process, for its CPU in {@code /proc/<pid>}. */
    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            synchronized (this) {
                commands.write("quit\n");
                commands.close();
            }
        } catch (IOException gone) {
            // the process has ended already
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
