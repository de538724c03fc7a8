package dev.nova.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer of {@code /api/stream} for the benchmark: reads on its own thread, counts messages and hands each
 * message's data line with its arrival time to a listener (which must be quick). Without a listener it only counts,
 * scanning the bytes for event lines without making strings: the cheapest consumer, so that on a shared machine it
 * takes as little CPU as possible from the node being measured.
 */
final class SseReader implements AutoCloseable {

    interface Listener {
        void message(String data, long arrivedNanos);
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final AtomicLong messages = new AtomicLong();
    private final CountDownLatch open = new CountDownLatch(1);
    private final Thread thread;
    private volatile InputStream body;
    private volatile boolean dropped;
    private volatile boolean closed;

    SseReader(URI uri, Listener listener) throws InterruptedException {
        thread = new Thread(() -> read(uri, listener), "sse " + uri.getQuery());
        thread.setDaemon(true);
        thread.start();
        if (!open.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("stream " + uri + " did not open");
        }
    }

    private void read(URI uri, Listener listener) {
        try {
            HttpResponse<InputStream> response = HTTP.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofHours(1))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            body = response.body();
            open.countDown();
            if (listener == null) {
                count(body);
                return;
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16);
            String event = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                    if (event.equals("dropped")) {
                        dropped = true;
                    }
                } else if (line.startsWith("data: ") && "message".equals(event)) {
                    long now = System.nanoTime();
                    messages.incrementAndGet();
                    listener.message(line, now);
                } else if (line.isEmpty()) {
                    event = null;
                }
            }
        } catch (IOException | InterruptedException e) {
            if (!closed) {
                System.err.println("[bench] stream " + uri + " ended: " + e);
            }
        } finally {
            open.countDown();
        }
    }

    private static final byte[] MESSAGE = "event: message\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DROPPED = "event: dropped\n".getBytes(StandardCharsets.US_ASCII);

    /** Counts {@code event: message} lines (and notes {@code event: dropped}) straight from the bytes. */
    private void count(InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        boolean lineStart = true;
        int message = -1;
        int drop = -1;
        int read;
        while ((read = in.read(buffer)) >= 0) {
            long found = 0;
            for (int i = 0; i < read; i++) {
                byte b = buffer[i];
                if (lineStart) {
                    message = 0;
                    drop = 0;
                }
                if (message >= 0) {
                    message = MESSAGE[message] == b ? message + 1 : -1;
                    if (message == MESSAGE.length) {
                        found++;
                        message = -1;
                    }
                }
                if (drop >= 0) {
                    drop = DROPPED[drop] == b ? drop + 1 : -1;
                    if (drop == DROPPED.length) {
                        dropped = true;
                        drop = -1;
                    }
                }
                lineStart = b == '\n';
            }
            if (found > 0) {
                messages.addAndGet(found);
            }
        }
    }

    long messages() {
        return messages.get();
    }

    /** Whether Nova dropped this consumer as too slow. */
    boolean dropped() {
        return dropped;
    }

    /** Waits until {@code count} messages arrived; false on timeout. */
    boolean awaitMessages(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (messages.get() < count) {
            if (System.nanoTime() > deadline || dropped) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    /** The long value of {@code "field":} in a JSON text, or -1. */
    static long longField(String json, String field) {
        String key = "\"" + field + "\":";
        int at = json.indexOf(key);
        if (at < 0) {
            return -1;
        }
        int i = at + key.length();
        long value = 0;
        boolean any = false;
        while (i < json.length() && Character.isDigit(json.charAt(i))) {
            value = value * 10 + (json.charAt(i) - '0');
            i++;
            any = true;
        }
        return any ? value : -1;
    }

    @Override
    public void close() {
        closed = true;
        try {
            InputStream in = body;
            if (in != null) {
                in.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        thread.interrupt();
    }
}
