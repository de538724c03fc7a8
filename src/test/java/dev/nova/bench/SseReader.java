package dev.nova.bench;

import dev.nova.it.support.ApiUsers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer of {@code /api/stream} for the benchmark: reads on its own thread, counts messages and hands each
 * message's data line with its arrival time to a listener (which must be quick). Without a listener it only counts:
 * a plain socket speaking HTTP/1.1, the body's chunks decoded and its event lines matched straight from the bytes,
 * no allocation per read. That is the cheapest consumer, so that on a shared machine it takes as little CPU as
 * possible from the node being measured (the JDK's HTTP client, used before, copied every read through its own
 * buffers and queues and kept its selector thread busy).
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
        if (listener == null) {
            countOverSocket(uri);
            return;
        }
        try {
            HttpResponse<InputStream> response = HTTP.send(
                    HttpRequest.newBuilder(uri)
                            .header("Authorization", ApiUsers.admin())
                            .timeout(Duration.ofHours(1))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            body = response.body();
            open.countDown();
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
    /** Where {@code event: dropped} parts from {@code event: message}: no other event starts with a d. */
    private static final int DROPPED_AT = "event: ".length();

    /** GET over a plain socket; counts {@code event: message} lines (and notes {@code event: dropped}). */
    private void countOverSocket(URI uri) {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setReceiveBufferSize(1 << 20);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
                            + uri.getPort() + "\r\nAuthorization: " + ApiUsers.admin()
                            + "\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            body = in;
            String head = readHead(in);
            if (!head.startsWith("HTTP/1.1 200")) {
                throw new IOException(
                        "the stream answered " + head.lines().findFirst().orElse(""));
            }
            boolean chunked = head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked");
            open.countDown();
            count(in, chunked);
        } catch (IOException e) {
            if (!closed) {
                System.err.println("[bench] stream " + uri + " ended: " + e);
            }
        } finally {
            open.countDown();
        }
    }

    /** The status line and headers (or a request line and headers), up to the empty line. */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        throw new IOException("the stream closed before its headers");
    }

    /** Counts event lines in the body, decoding HTTP/1.1 chunks on the way when {@code chunked}. */
    private void count(InputStream in, boolean chunked) throws IOException {
        byte[] buffer = new byte[1 << 16];
        LineMatcher lines = new LineMatcher();
        long chunkLeft = chunked ? -1 : Long.MAX_VALUE; // -1: reading a chunk-size line
        long size = 0;
        boolean sizeDone = false;
        int trailer = 0; // CR LF still to skip after a chunk's data
        int read;
        while ((read = in.read(buffer)) >= 0) {
            int i = 0;
            long found = 0;
            while (i < read) {
                if (trailer > 0) {
                    i++;
                    trailer--;
                } else if (chunkLeft < 0) {
                    byte b = buffer[i++];
                    if (b == '\n') {
                        if (size == 0) {
                            return; // the last chunk: the stream ended
                        }
                        chunkLeft = size;
                        size = 0;
                        sizeDone = false;
                    } else if (!sizeDone && Character.digit(b, 16) >= 0) {
                        size = size * 16 + Character.digit(b, 16);
                    } else {
                        sizeDone = true; // CR, or a chunk extension
                    }
                } else {
                    // A response without chunks has Long.MAX_VALUE left: i + chunkLeft would overflow.
                    int end = chunkLeft >= read - i ? read : i + (int) chunkLeft;
                    found += lines.scan(buffer, i, end);
                    chunkLeft -= end - i;
                    i = end;
                    if (chunkLeft == 0) {
                        chunkLeft = -1;
                        trailer = 2;
                    }
                }
            }
            if (found > 0) {
                messages.addAndGet(found);
            }
            if (lines.dropped) {
                dropped = true;
            }
        }
    }

    /**
     * Finds {@code event: message} and {@code event: dropped} lines across buffer boundaries. Inside other lines (the
     * data, most of the bytes) it only looks for the end of the line.
     */
    static final class LineMatcher {
        /** How much of {@code event: message} the current line has matched; -1 once it cannot be one. */
        private int matched = 0;

        boolean dropped;

        long scan(byte[] buffer, int from, int to) {
            long found = 0;
            int m = matched;
            int i = from;
            while (i < to) {
                if (m < 0) {
                    // Inside a line that is no event line: skip to its end eight bytes at a time.
                    int end = newline(buffer, i, to);
                    if (end < 0) {
                        i = to;
                        break;
                    }
                    i = end + 1;
                    m = 0;
                    continue;
                }
                byte b = buffer[i++];
                if (b == MESSAGE[m]) {
                    if (++m == MESSAGE.length) {
                        found++;
                        m = 0; // the line ended with the match
                    }
                } else {
                    if (m == DROPPED_AT && b == 'd') {
                        dropped = true;
                    }
                    m = b == '\n' ? 0 : -1;
                }
            }
            matched = m;
            return found;
        }

        private static final VarHandle LONGS =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private static final long ONES = 0x0101010101010101L;
        private static final long NEWLINES = '\n' * ONES;
        private static final long HIGHS = 0x8080808080808080L;

        /** Where the first line feed in {@code buffer[from, to)} is, or -1. */
        static int newline(byte[] buffer, int from, int to) {
            int i = from;
            for (; i + Long.BYTES <= to; i += Long.BYTES) {
                long x = (long) LONGS.get(buffer, i) ^ NEWLINES;
                // A byte of x is zero where a line feed is; the lowest flag set is exact (little-endian: first byte).
                long zeros = (x - ONES) & ~x & HIGHS;
                if (zeros != 0) {
                    return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
                }
            }
            for (; i < to; i++) {
                if (buffer[i] == '\n') {
                    return i;
                }
            }
            return -1;
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
