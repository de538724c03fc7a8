package dev.nova.simulator;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One accepted WebSocket connection: a reading thread that decodes client frames and a writing thread that drains
 * a bounded queue of pre-encoded frames. A client too slow to keep up is disconnected, as exchanges do.
 */
final class WsConnection {

    /** What the protocol layer is told. */
    interface Listener {
        void onText(WsConnection connection, String text);

        void onPong(WsConnection connection);

        void onPing(WsConnection connection);

        void onClosed(WsConnection connection);
    }

    private static final byte[] POISON = new byte[0];

    private final Socket socket;
    private final String path;
    private final String query;
    private final String remoteAddress;
    private final BlockingQueue<byte[]> outbox;
    private final int fragmentBytes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile Listener listener;
    private volatile boolean frozen;
    /** Data frames (text or binary messages) and pings the client sent: written by the reading thread only. */
    private volatile long received;

    WsConnection(Socket socket, String path, String query, int outboxFrames, int fragmentBytes) {
        this.fragmentBytes = fragmentBytes;
        this.socket = socket;
        this.path = path;
        this.query = query;
        this.remoteAddress = socket.getInetAddress().getHostAddress();
        this.outbox = new ArrayBlockingQueue<>(outboxFrames);
    }

    String path() {
        return path;
    }

    String query() {
        return query;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    /** Frames the client sent, other than pongs and the close handshake. */
    long received() {
        return received;
    }

    boolean isOpen() {
        return !closed.get();
    }

    /** Stops reading and writing without closing: the peer sees a silent, hung exchange. */
    void freeze(boolean frozen) {
        this.frozen = frozen;
    }

    boolean frozen() {
        return frozen;
    }

    void start(Listener listener, String name) {
        this.listener = listener;
        Thread reader = new Thread(this::readLoop, name + "-read");
        Thread writer = new Thread(this::writeLoop, name + "-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    void sendText(String text) {
        send(WsFrames.text(text, fragmentBytes));
    }

    /** Queues a pre-encoded frame (or several concatenated); a full queue disconnects the client. */
    void send(byte[] frame) {
        if (closed.get() || closing.get() || frozen) {
            return;
        }
        if (!outbox.offer(frame)) {
            abort();
        }
    }

    void ping(byte[] payload) {
        send(WsFrames.frame(WsFrames.PING, payload));
    }

    /** Sends a close frame, then closes the socket. */
    void close(int code, String reason) {
        if (closed.get() || !closing.compareAndSet(false, true)) {
            return;
        }
        // Frames queued before the close (e.g. the error that explains it) still go out first; nothing after it.
        if (!outbox.offer(WsFrames.close(code, reason)) || !outbox.offer(POISON)) {
            abort();
        }
    }

    /** Closes the socket normally after a close handshake (no reset). */
    private void finish() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
            Listener l = listener;
            if (l != null) {
                l.onClosed(this);
            }
        }
    }

    /** Drops the TCP connection at once, without a close frame (an RST, as a failing network would). */
    void abort() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
            outbox.clear();
            outbox.offer(POISON);
            Listener l = listener;
            if (l != null) {
                l.onClosed(this);
            }
        }
    }

    private void readLoop() {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()))) {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            int messageOpcode = -1;
            while (!closed.get()) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                boolean masked = (b1 & 0x80) != 0;
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                boolean control = (opcode & 0x8) != 0;
                if (!masked || length > 64L * 1024 * 1024 || (control && (!fin || length > 125))) {
                    abort();
                    return;
                }
                byte[] mask = new byte[4];
                in.readFully(mask);
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
                if (frozen) {
                    continue;
                }
                if (opcode != WsFrames.PONG && opcode != WsFrames.CLOSE) {
                    received++;
                }
                switch (opcode) {
                    case WsFrames.TEXT, WsFrames.BINARY, WsFrames.CONTINUATION -> {
                        if (opcode != WsFrames.CONTINUATION) {
                            messageOpcode = opcode;
                            message.reset();
                        }
                        message.write(payload);
                        if (fin) {
                            if (messageOpcode == WsFrames.TEXT) {
                                listener.onText(this, message.toString(StandardCharsets.UTF_8));
                            }
                            message.reset();
                        }
                    }
                    case WsFrames.PING -> {
                        listener.onPing(this);
                        send(WsFrames.frame(WsFrames.PONG, payload));
                    }
                    case WsFrames.PONG -> listener.onPong(this);
                    case WsFrames.CLOSE -> {
                        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1000;
                        if (closing.get()) {
                            finish();
                        } else {
                            close(code, "");
                        }
                        return;
                    }
                    default -> {
                        abort();
                        return;
                    }
                }
            }
        } catch (EOFException e) {
            abort();
        } catch (IOException | RuntimeException e) {
            abort();
        }
    }

    private void writeLoop() {
        try (OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024)) {
            while (true) {
                byte[] frame = outbox.poll(1, TimeUnit.SECONDS);
                if (frame == null) {
                    if (closed.get()) {
                        return;
                    }
                    continue;
                }
                if (frame == POISON) {
                    out.flush();
                    // A clean end: no more data from us, the peer reads the close frame, then the socket goes.
                    socket.shutdownOutput();
                    Thread.sleep(200);
                    finish();
                    return;
                }
                out.write(frame);
                if (outbox.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the connection is gone
        }
        abort();
    }
}
