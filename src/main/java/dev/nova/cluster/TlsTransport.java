package dev.nova.cluster;

import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jgroups.Address;
import org.jgroups.annotations.ManagedAttribute;
import org.jgroups.annotations.Property;
import org.jgroups.protocols.TCP;
import org.jgroups.util.DefaultSocketFactory;
import org.jgroups.util.TLSClientAuth;

/**
 * JGroups' TCP transport over TLS 1.3 with client authentication required, for a cluster secured by its PKI
 * ({@link ClusterTls}). TCP_NIO2, the transport of a cluster with a secret, has no TLS in JGroups (it would need
 * {@code SSLEngine} wrapping of its channels, which JGroups does not have), so this is TCP, whose connects block.
 *
 * <p>Why connects are made apart: TCP connects to a member on the thread that sends to it, and a multicast is sent to
 * each member in turn on one thread. Cut off from one member, a node's every multicast then waited for a connect to
 * it to time out, and the healthy members lost each other's lease beats: the partition tests failed over TLS until
 * this was changed. Here a message to a member with no established connection waits (at most 4 MiB per member),
 * the connect runs on a thread of its own, and what waited is sent once it is done, before anything sent after it
 * (dropped when the connect fails: the reliable protocols above send again, the others are periodic). Established
 * connections send as TCP does, through their own bounded queues ({@code non_blocking_sends}). A connection that
 * closes between the check and the send is still reconnected on the sending thread, as TCP does: a narrow window,
 * bounded by {@code sock_conn_timeout} and the handshake timeout.
 *
 * <p>The TLS context reaches the transport by reference, never through the stack's XML (Infinispan logs it when a
 * channel fails to build).
 */
public class TlsTransport extends TCP {

    /** Contexts handed to a stack that is being built, until its transport takes them. */
    private static final Handover<SSLContext> HANDED = new Handover<>();

    /** The most a member's messages may take while a connect to it runs: more are dropped. */
    static final long MAX_QUEUED_BYTES = 4L << 20;

    /** How long a connect may wait for the TLS handshake of a member that accepted the connection. */
    static final int HANDSHAKE_TIMEOUT_MS = 5_000;

    /** Messages for members being connected to, by member; an entry exists while its connect runs. */
    private final Map<Address, Waiting> connecting = new ConcurrentHashMap<>();

    private final LongAdder dropped = new LongAdder();
    private ExecutorService connector;

    @Property(
            description = "The reference under which Nova handed this stack its TLS context",
            exposeAsManagedAttribute = false)
    protected String tls_ref;

    /** Leaves the context for the stack about to be built; its XML names the reference returned. */
    static String hand(SSLContext context) {
        return HANDED.hand(context);
    }

    /** Drops a context no stack took (the channel failed to build). */
    static void withdraw(String reference) {
        HANDED.withdraw(reference);
    }

    @Override
    public void init() throws Exception {
        SSLContext context = HANDED.take(tls_ref);
        if (context == null) {
            throw new IllegalStateException("NOVA-1033 the cluster transport was handed no TLS context: the stack must "
                    + "be built by the node that read nova.cluster.tls.*");
        }
        // TLS as JGroups' own component sets it up (client authentication required), with one change: a connect waits
        // at most HANDSHAKE_TIMEOUT_MS for the handshake (JGroups sets no read timeout on its client sockets, and a
        // member that accepts and then hangs, or is cut off mid-handshake, would hold the connect forever).
        tls().setClientAuth(TLSClientAuth.NEED).setProtocols(new String[] {"TLSv1.3"});
        DefaultSocketFactory factory = (DefaultSocketFactory) tls().createSocketFactory(context);
        factory.setSocketConfigurator(TlsTransport::boundHandshake);
        setSocketFactory(factory);
        super.init();
    }

    /** A client socket reads with a timeout until its handshake is done, then without one, as JGroups expects. */
    private static void boundHandshake(Socket socket) {
        if (socket instanceof SSLSocket tls) {
            try {
                tls.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
                tls.addHandshakeCompletedListener(done -> {
                    try {
                        done.getSocket().setSoTimeout(0);
                    } catch (SocketException closed) {
                        // Closed already: nothing reads from it.
                    }
                });
            } catch (SocketException e) {
                throw new IllegalStateException("a cluster socket could not be configured: " + e, e);
            }
        }
    }

    @Override
    public void start() throws Exception {
        connector = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "nova-cluster-connect");
            thread.setDaemon(true);
            return thread;
        });
        super.start();
    }

    @Override
    public void stop() {
        super.stop();
        if (connector != null) {
            connector.shutdownNow();
        }
    }

    @ManagedAttribute(description = "Messages dropped because a connect failed or too many waited for one")
    public long droppedWhileConnecting() {
        return dropped.sum();
    }

    @Override
    public void send(Address dest, byte[] data, int offset, int length) throws Exception {
        if (srv == null || connector == null || dest == null || dest.equals(srv.localAddress())) {
            super.send(dest, data, offset, length);
            return;
        }
        while (true) {
            Waiting waiting = connecting.get(dest);
            boolean first = false;
            if (waiting == null) {
                if (srv.connectionEstablishedTo(dest)) {
                    super.send(dest, data, offset, length);
                    return;
                }
                Waiting fresh = new Waiting();
                waiting = connecting.putIfAbsent(dest, fresh);
                if (waiting == null) {
                    waiting = fresh;
                    first = true;
                }
            }
            synchronized (waiting) {
                if (!waiting.done) {
                    if (waiting.bytes + length <= MAX_QUEUED_BYTES) {
                        waiting.messages.add(Arrays.copyOfRange(data, offset, offset + length));
                        waiting.bytes += length;
                    } else {
                        dropped.increment();
                    }
                    if (first) {
                        Waiting started = waiting;
                        connector.execute(() -> connect(dest, started));
                    }
                    return;
                }
            }
            // The connect just finished and its messages left: this one goes the usual way, after them.
        }
    }

    /** Messages for a member while a connect to it runs; guarded by itself. */
    private static final class Waiting {
        final List<byte[]> messages = new ArrayList<>();
        long bytes;
        boolean done;
    }

    /**
     * Connects to {@code member} on this thread, then sends what waited for it, in order and before anything sent
     * after (or drops it when the connect failed).
     */
    private void connect(Address member, Waiting waiting) {
        boolean connected;
        try {
            srv.getConnection(member);
            connected = true;
        } catch (Exception e) {
            connected = false;
            log.trace("%s: connect to %s failed: %s", local_addr, member, e);
        }
        synchronized (waiting) {
            for (byte[] message : waiting.messages) {
                if (!connected) {
                    dropped.increment();
                    continue;
                }
                try {
                    super.send(member, message, 0, message.length);
                } catch (Exception e) {
                    dropped.increment();
                }
            }
            waiting.messages.clear();
            waiting.done = true;
            connecting.remove(member, waiting);
        }
    }
}
