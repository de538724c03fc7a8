package dev.nova.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accepts TCP connections, performs the WebSocket opening handshake and hands each connection to whoever the
 * {@link Acceptor} says serves its path.
 */
final class WsServer implements AutoCloseable {

    /** Decides what to do with a handshake: serve it, or refuse it with an HTTP status. */
    interface Acceptor {
        /** 101 to accept, or an HTTP status (404, 429, 503) to refuse. */
        int admit(String path, String remoteAddress);

        void accepted(WsConnection connection);
    }

    private final ServerSocket server;
    private final Acceptor acceptor;
    private final int outboxFrames;
    private final int fragmentBytes;
    private final AtomicInteger connectionIds = new AtomicInteger();
    private volatile boolean running = true;

    WsServer(String host, int port, Acceptor acceptor, int outboxFrames, int fragmentBytes) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 256);
        this.acceptor = acceptor;
        this.outboxFrames = outboxFrames;
        this.fragmentBytes = fragmentBytes;
        Thread accept = new Thread(this::acceptLoop, "simulator-accept-" + server.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (running) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread handshake = new Thread(() -> handshake(socket), "simulator-handshake");
                handshake.setDaemon(true);
                handshake.start();
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private void handshake(Socket socket) {
        try {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            socket.setSoTimeout(0);
            if (head == null) {
                socket.close();
                return;
            }
            String[] lines = head.split("\r\n");
            String[] request = lines[0].split(" ");
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(
                            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            String target = request.length > 1 ? request[1] : "/";
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            String query = q < 0 ? "" : target.substring(q + 1);
            String key = headers.get("sec-websocket-key");
            OutputStream out = socket.getOutputStream();
            if (!"GET".equals(request[0])
                    || key == null
                    || !"websocket".equalsIgnoreCase(headers.getOrDefault("upgrade", ""))) {
                refuse(out, 400, "Bad Request");
                socket.close();
                return;
            }
            int verdict = acceptor.admit(path, socket.getInetAddress().getHostAddress());
            if (verdict != 101) {
                refuse(
                        out,
                        verdict,
                        verdict == 429 ? "Too Many Requests" : verdict == 404 ? "Not Found" : "Service Unavailable");
                socket.close();
                return;
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + WsFrames.acceptKey(key) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            WsConnection connection = new WsConnection(socket, path, query, outboxFrames, fragmentBytes);
            acceptor.accepted(connection);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }

    int nextConnectionId() {
        return connectionIds.incrementAndGet();
    }

    private static void refuse(OutputStream out, int status, String reason) throws IOException {
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (head.size() < 16 * 1024) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        running = false;
        server.close();
    }
}
