package dev.nova.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.UUID;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The simulator's {@code wss://} side: a TLS listener on loopback in front of its plain WebSocket port, with a
 * certificate made for this run (keytool, for 127.0.0.1 and localhost). Each TLS connection is carried to the
 * simulator byte for byte, so a client runs a real TLS session (handshake, certificate and host-name checks,
 * encrypted frames) against the exchanges' protocols. {@link #truststore()} holds the certificate for the clients.
 */
public final class TlsFront implements AutoCloseable {

    private final ServerSocket listener;
    private final Path truststore;
    private final String password;
    private final int target;
    private volatile boolean open = true;

    private TlsFront(ServerSocket listener, Path truststore, String password, int target) {
        this.listener = listener;
        this.truststore = truststore;
        this.password = password;
        this.target = target;
    }

    /** Listens on a free loopback port, carrying every connection to {@code targetPort} on loopback. */
    static TlsFront start(int targetPort) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("nova-sim-tls");
        String password = "sim-" + UUID.randomUUID();
        Path keystore = dir.resolve("simulator.p12");
        Path truststore = dir.resolve("trust.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "simulator",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                password);
        Path certificate = dir.resolve("simulator.cer");
        keytool(
                "-exportcert",
                "-alias",
                "simulator",
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-file",
                certificate.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "simulator",
                "-file",
                certificate.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                truststore.toString(),
                "-storepass",
                password);
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                keys.load(in, password.toCharArray());
            }
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            SSLServerSocket listener = (SSLServerSocket)
                    context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            TlsFront front = new TlsFront(listener, truststore, password, targetPort);
            Thread acceptor = new Thread(front::accept, "simulator-tls");
            acceptor.setDaemon(true);
            acceptor.start();
            return front;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("the simulator's TLS listener could not be made", e);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        Keytool.run(args);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** A PKCS#12 truststore with the simulator's certificate. */
    public Path truststore() {
        return truststore;
    }

    public String truststorePassword() {
        return password;
    }

    private void accept() {
        while (open) {
            try {
                Socket client = listener.accept();
                Socket simulator = new Socket(InetAddress.getLoopbackAddress(), target);
                pump(client, simulator);
                pump(simulator, client);
            } catch (IOException e) {
                if (open) {
                    continue;
                }
                return;
            }
        }
    }

    /** Copies one direction until it ends, then closes both sockets. */
    private static void pump(Socket from, Socket to) {
        Thread thread = new Thread(
                () -> {
                    try (from;
                            to) {
                        InputStream in = from.getInputStream();
                        OutputStream out = to.getOutputStream();
                        byte[] buffer = new byte[16 * 1024];
                        int read;
                        while ((read = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, read);
                            out.flush();
                        }
                    } catch (IOException closed) {
                        // One side went away: both are closed.
                    }
                },
                "simulator-tls-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        open = false;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
