package dev.nova.bench;

import dev.nova.platform.InboundFrame;
import dev.nova.platform.deribit.DeribitAdapter;
import dev.nova.stream.BenchFrames;
import dev.nova.stream.MarketMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * The second ingest reference: the least any gateway does with a message. Plain Tyrus sessions (as {@link
 * BareTyrus}) decode each frame with Nova's Deribit decoder, frame it as Nova frames an SSE event, and write it to
 * every SSE stream of its channel, on the thread that read the frame. Writes are batched in a 64 KiB buffer that a
 * flusher thread empties every millisecond and that is written out whenever it is full; or, for the fan-out floor
 * ({@code writeThrough}), each event is written to each stream at once, one blocking socket write per delivery. No
 * frame lane, no sequence tracking, no bounded per-consumer buffers, no isolation of a slow consumer, no cluster: what
 * this does not do is what Nova's own machinery costs.
 */
final class BareGateway implements AutoCloseable {

    /** One SSE stream: a socket and its write buffer. */
    private static final class Stream {
        private final Socket socket;
        private final OutputStream out;
        private final boolean writeThrough;
        private final byte[] buffer;
        private int used;

        Stream(Socket socket, boolean writeThrough) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.writeThrough = writeThrough;
            this.buffer = new byte[writeThrough ? 0 : 1 << 16];
        }

        /** After a failed write: the reader sees the stream end. */
        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed anyway
            }
        }

        synchronized void write(byte[] event) throws IOException {
            if (writeThrough) {
                out.write(event);
                return;
            }
            if (used + event.length > buffer.length) {
                flush();
            }
            if (event.length > buffer.length) {
                out.write(event);
                return;
            }
            System.arraycopy(event, 0, buffer, used, event.length);
            used += event.length;
        }

        synchronized void flush() throws IOException {
            if (used > 0) {
                out.write(buffer, 0, used);
                used = 0;
            }
        }
    }

    /** Connections waiting to be accepted: the fan-out floor opens 1,000 streams at once. */
    private static final int BACKLOG = 2048;

    private final ClientManager client;
    private final DeribitAdapter decoder = new DeribitAdapter();
    private final ServerSocket server;
    private final boolean writeThrough;
    /** The streams of each channel. */
    private final ConcurrentHashMap<String, List<Stream>> streams = new ConcurrentHashMap<>();

    private final List<Session> sessions = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;
    private final Thread flusher;
    private volatile boolean closed;

    /** The ingest reference: writes batched and flushed every millisecond. */
    BareGateway() throws IOException {
        this(false);
    }

    /** @param writeThrough each event written to each stream at once (the fan-out floor), not batched */
    BareGateway(boolean writeThrough) throws IOException {
        this.writeThrough = writeThrough;
        client = ClientManager.createClient();
        client.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
        client.getProperties().put(ClientProperties.INCOMING_BUFFER_SIZE, 8 << 20);
        server = new ServerSocket(0, BACKLOG, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "floor accept");
        acceptor.setDaemon(true);
        acceptor.start();
        flusher = new Thread(this::flushEveryMillisecond, "floor flush");
        flusher.setDaemon(true);
        if (!writeThrough) {
            flusher.start();
        }
    }

    /** Where the SSE stream of {@code channel} is read ({@code GET /stream?channel=...}). */
    URI streamUri(String channel) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/stream?channel=" + channel);
    }

    /** Opens one session subscribed to {@code channel}, which writes to the SSE streams of that channel. */
    void subscribe(String url, String channel) throws Exception {
        String name = "floor-" + channel;
        sessions.add(BareTyrus.open(client, url, channel, (text, last) -> handle(name, text)));
    }

    private void handle(String client, String text) {
        if (decoder.decode(text) instanceof InboundFrame.Notification n) {
            List<Stream> readers = streams.get(n.channel());
            if (readers == null) {
                return; // nobody reads this channel yet
            }
            MarketMessage message = new MarketMessage(
                    client, n.channel(), n.sequence(), n.previous(), System.currentTimeMillis(), false, n.data());
            byte[] event = BenchFrames.message(message);
            for (Stream stream : readers) {
                try {
                    stream.write(event);
                } catch (IOException e) {
                    readers.remove(stream);
                    stream.close();
                }
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setSendBufferSize(1 << 20);
                String channel = requestedChannel(socket.getInputStream());
                synchronized (sockets) {
                    sockets.add(socket);
                }
                Stream stream = new Stream(socket, writeThrough);
                // Registered before the reader sees its headers, so a blast that follows the reader's open is written.
                synchronized (stream) {
                    streams.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>())
                            .add(stream);
                    stream.out.write(
                            ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                    stream.out.flush();
                }
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("[bench] reference gateway: " + e);
                }
            }
        }
    }

    /** The channel of {@code GET /stream?channel=X HTTP/1.1}; reads the request up to its empty line. */
    private static String requestedChannel(InputStream in) throws IOException {
        String line = SseReader.readHead(in).lines().findFirst().orElse("");
        int at = line.indexOf("channel=");
        if (at < 0) {
            throw new IOException("no channel in " + line);
        }
        return line.substring(at + "channel=".length(), line.indexOf(' ', at));
    }

    private void flushEveryMillisecond() {
        while (!closed) {
            for (List<Stream> readers : streams.values()) {
                for (Stream stream : readers) {
                    try {
                        stream.flush();
                    } catch (IOException e) {
                        readers.remove(stream);
                        stream.close();
                    }
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Session session : sessions) {
            try {
                session.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        synchronized (sockets) {
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
        flusher.interrupt();
    }
}
