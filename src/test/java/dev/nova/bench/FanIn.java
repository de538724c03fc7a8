package dev.nova.bench;

import dev.nova.it.support.ApiUsers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Many SSE consumers of {@code /api/stream} read by one thread: one selector over plain sockets speaking HTTP/1.1,
 * each response's chunks decoded and its lines parsed from the bytes. For every {@code message} event it takes the
 * simulator's send time ({@code "nanos":} in the trade, the same clock: this JVM runs the simulator) and records the
 * latency in a histogram of 10 µs buckets, and counts deliveries per stream. A stream that ends, or that Nova ends
 * with {@code event: dropped}, counts as dropped.
 */
final class FanIn implements AutoCloseable {

    private static final byte[] NANOS = "\"nanos\":".getBytes(StandardCharsets.US_ASCII);
    private static final int BUCKET_NANOS = 10_000;
    /** Up to 10 s in 10 µs buckets; slower deliveries go into the last bucket (and the maximum is kept exactly). */
    private static final int BUCKETS = 1_000_000;

    /** One stream's parsing state. */
    private static final class Stream {
        final int index;
        final ByteBuffer request;
        final StringBuilder head = new StringBuilder();
        boolean headDone;
        boolean chunked;
        long chunkLeft = -1; // -1: in a chunk-size line
        long chunkSize;
        boolean sizeDone;
        int trailer;
        final byte[] line = new byte[1 << 14];
        int lineLength;
        boolean lineTooLong;
        boolean inMessage;
        boolean ended;

        Stream(int index, ByteBuffer request) {
            this.index = index;
            this.request = request;
        }
    }

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Stream> toOpen = new ConcurrentLinkedQueue<>();
    private final List<URI> uris = new ArrayList<>();
    private final AtomicLongArray delivered;
    private final AtomicLong dropped = new AtomicLong();
    /** Reads that returned bytes: with the deliveries, how many events a read of the consumer found. */
    private final AtomicLong reads = new AtomicLong();

    private final CountDownLatch opened;
    private final long[] histogram = new long[BUCKETS];
    private long maxNanos;
    private volatile boolean recording;
    private volatile boolean closed;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
    private final byte[] bytes = new byte[1 << 16];

    /** Opens one stream per address (the same address may repeat) and starts reading them. */
    FanIn(List<URI> streams) throws IOException {
        selector = Selector.open();
        delivered = new AtomicLongArray(streams.size());
        opened = new CountDownLatch(streams.size());
        for (int i = 0; i < streams.size(); i++) {
            URI uri = streams.get(i);
            uris.add(uri);
            String request = "GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost()
                    + ":" + uri.getPort() + "\r\nAuthorization: " + ApiUsers.admin()
                    + "\r\nAccept: text/event-stream\r\n\r\n";
            toOpen.add(new Stream(i, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII))));
        }
        thread = new Thread(this::run, "fan-in");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits until every stream answered 200 and its headers were read; false on timeout. */
    boolean awaitOpen(long seconds) throws InterruptedException {
        return opened.await(seconds, TimeUnit.SECONDS);
    }

    /** Starts (or restarts) the latency histogram: samples before this are left out. */
    synchronized void startRecording() {
        java.util.Arrays.fill(histogram, 0);
        maxNanos = 0;
        recording = true;
    }

    /** {@code [p50, p99, max]} in milliseconds of what was recorded since {@link #startRecording}. */
    synchronized double[] latencyMillis() {
        long total = 0;
        for (long count : histogram) {
            total += count;
        }
        return new double[] {percentile(total, 0.50), percentile(total, 0.99), maxNanos / 1e6};
    }

    private double percentile(long total, double quantile) {
        long rank = (long) Math.ceil(quantile * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += histogram[i];
            if (seen >= rank && rank > 0) {
                return (i + 1) * (double) BUCKET_NANOS / 1e6; // the bucket's upper edge
            }
        }
        return 0;
    }

    long delivered() {
        long sum = 0;
        for (int i = 0; i < delivered.length(); i++) {
            sum += delivered.get(i);
        }
        return sum;
    }

    long delivered(int stream) {
        return delivered.get(stream);
    }

    /** Reads of every stream so far that returned bytes. */
    long reads() {
        return reads.get();
    }

    /** Streams that ended before {@link #close}, by Nova's {@code dropped} event or by the connection closing. */
    long dropped() {
        return dropped.get();
    }

    private void run() {
        try {
            Stream next;
            while ((next = toOpen.poll()) != null) {
                URI uri = uris.get(next.index);
                SocketChannel channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                channel.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
                channel.register(selector, SelectionKey.OP_CONNECT, next);
            }
            while (!closed) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (!closed) {
                System.err.println("[bench] fan-in: " + e);
            }
        }
    }

    private void handle(SelectionKey key) throws IOException {
        Stream stream = (Stream) key.attachment();
        SocketChannel channel = (SocketChannel) key.channel();
        if (!key.isValid()) {
            return;
        }
        if (key.isConnectable()) {
            try {
                channel.finishConnect();
            } catch (IOException e) {
                end(key, stream);
                return;
            }
            key.interestOps(SelectionKey.OP_WRITE);
        }
        if (key.isValid() && key.isWritable()) {
            channel.write(stream.request);
            if (!stream.request.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        if (key.isValid() && key.isReadable()) {
            buffer.clear();
            int read;
            try {
                read = channel.read(buffer);
            } catch (IOException e) {
                read = -1;
            }
            if (read < 0) {
                end(key, stream);
                return;
            }
            if (read > 0) {
                reads.incrementAndGet();
            }
            buffer.flip();
            buffer.get(bytes, 0, read);
            consume(stream, bytes, read);
            if (stream.ended) {
                end(key, stream);
            }
        }
    }

    private void end(SelectionKey key, Stream stream) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closed anyway
        }
        if (!closed) {
            dropped.incrementAndGet();
            if (!stream.headDone) {
                opened.countDown();
            }
        }
    }

    private void consume(Stream s, byte[] in, int length) {
        int i = 0;
        if (!s.headDone) {
            while (i < length && !s.headDone) {
                s.head.append((char) in[i++]);
                int n = s.head.length();
                if (n >= 4
                        && s.head.charAt(n - 1) == '\n'
                        && s.head.substring(n - 4).equals("\r\n\r\n")) {
                    s.headDone = true;
                    String head = s.head.toString();
                    if (!head.startsWith("HTTP/1.1 200")) {
                        System.err.println("[bench] fan-in: stream " + s.index + " answered "
                                + head.lines().findFirst().orElse(""));
                        s.ended = true;
                        opened.countDown(); // answered: awaitOpen need not wait out its timeout for this one
                        return;
                    }
                    s.chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
                    s.chunkLeft = s.chunked ? -1 : Long.MAX_VALUE;
                    opened.countDown();
                }
            }
        }
        while (i < length) {
            if (s.trailer > 0) {
                i++;
                s.trailer--;
            } else if (s.chunkLeft < 0) {
                byte b = in[i++];
                if (b == '\n') {
                    if (s.chunkSize == 0) {
                        s.ended = true; // the last chunk
                        return;
                    }
                    s.chunkLeft = s.chunkSize;
                    s.chunkSize = 0;
                    s.sizeDone = false;
                } else if (!s.sizeDone && Character.digit(b, 16) >= 0) {
                    s.chunkSize = s.chunkSize * 16 + Character.digit(b, 16);
                } else {
                    s.sizeDone = true;
                }
            } else {
                // A stream without chunks has Long.MAX_VALUE left: i + chunkLeft would overflow.
                int end = s.chunkLeft >= length - i ? length : i + (int) s.chunkLeft;
                lines(s, in, i, end);
                s.chunkLeft -= end - i;
                i = end;
                if (s.chunkLeft == 0) {
                    s.chunkLeft = -1;
                    s.trailer = 2;
                }
            }
        }
    }

    private void lines(Stream s, byte[] in, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = in[i];
            if (b != '\n') {
                if (s.lineLength < s.line.length) {
                    s.line[s.lineLength++] = b;
                } else {
                    s.lineTooLong = true;
                }
                continue;
            }
            line(s);
            s.lineLength = 0;
            s.lineTooLong = false;
        }
    }

    private void line(Stream s) {
        byte[] l = s.line;
        int n = s.lineLength;
        if (n == 0) {
            s.inMessage = false;
        } else if (startsWith(l, n, "event: ")) {
            s.inMessage = startsWith(l, n, "event: message");
            if (startsWith(l, n, "event: dropped")) {
                s.ended = true;
            }
        } else if (s.inMessage && startsWith(l, n, "data: ")) {
            long arrived = System.nanoTime();
            delivered.incrementAndGet(s.index);
            if (recording && !s.lineTooLong) {
                long sent = nanos(l, n);
                if (sent > 0) {
                    record(arrived - sent);
                }
            }
        }
    }

    private synchronized void record(long latency) {
        int bucket = (int) Math.min(BUCKETS - 1, Math.max(0, latency / BUCKET_NANOS));
        histogram[bucket]++;
        if (latency > maxNanos) {
            maxNanos = latency;
        }
    }

    private static boolean startsWith(byte[] line, int length, String prefix) {
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The number after {@code "nanos":} in the line, or -1. */
    private static long nanos(byte[] line, int length) {
        outer:
        for (int i = 0; i + NANOS.length < length; i++) {
            for (int j = 0; j < NANOS.length; j++) {
                if (line[i + j] != NANOS[j]) {
                    continue outer;
                }
            }
            long value = 0;
            int k = i + NANOS.length;
            boolean negative = k < length && line[k] == '-';
            if (negative) {
                k++;
            }
            boolean any = false;
            while (k < length && line[k] >= '0' && line[k] <= '9') {
                value = value * 10 + (line[k++] - '0');
                any = true;
            }
            return any ? (negative ? -value : value) : -1;
        }
        return -1;
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
