package dev.nova.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.TP;
import org.jgroups.stack.Protocol;

/**
 * The JGroups protocol stack of a node, written out from its {@link ClusterSettings}: TCP_NIO2 (TCP over TLS,
 * {@link TlsTransport}, with the cluster's PKI) bound to one explicit
 * address with {@code port_range=0}, discovery by TCPPING or DNS_PING (never multicast), failure detection tuned
 * so a killed member leaves the view in well under a second (FD_SOCK2, then {@link ProbingVerifySuspect}) and a hung or cut-off one
 * within the FD timeout (FD_ALL3), merges checked every {@code merge-min-interval}..{@code merge-max-interval}
 * (MERGE3), diagnostics off, and FORK on top for the cluster bus. Based on Infinispan's own TCP stack.
 *
 * <p>Why TCP_NIO2 and not TCP: with TCP, every message leaves through one bundler thread, and a message to a member
 * whose connection is gone opens a new one with a blocking connect. To a member cut off by the network (no answer, no
 * reset) each connect blocks for {@code sock_conn_timeout}, again for every retransmission, merge probe and discovery
 * request, and the heartbeats to the healthy members wait behind them: in a three-node cluster whose oldest member
 * was cut off, the other two lost each other too (thread dumps showed the bundler in {@code Socket.connect} to the
 * cut member, 6 and 8 s after the cut). TCP_NIO2 connects without blocking: messages to an unreachable member wait in
 * its connection's buffers, and the others keep being served. It never gives up on a pending connect, though, so
 * {@link ConnectTimeoutTransport} bounds connects by {@code sock_conn_timeout} (a merge after a heal waited for the
 * kernel's next SYN retry otherwise).
 */
public final class JGroupsStack {

    /** Logs under the cluster runtime's name, where operators find the other NOVA-10xx messages. */
    private static final Logger LOG = Logger.getLogger(ClusterRuntime.class.getName());

    private JGroupsStack() {}

    /**
     * Sets the transport of a member: the member stack, with RELAY2 on top when the cluster is bridged ({@link
     * BridgeStack}).
     */
    static void transport(
            GlobalConfigurationBuilder global, ClusterSettings cluster, String node, String keyRef, String tlsRef) {
        String xml = xml(cluster, keyRef, tlsRef);
        global.transport().clusterName(cluster.name()).nodeName(node);
        if (!cluster.bridged()) {
            global.transport().addProperty(JGroupsTransport.CONFIGURATION_XML, xml);
            return;
        }
        // A configurator, not a channel: Infinispan copies the global configuration and a transport instance is lost.
        global.transport()
                .addProperty(JGroupsTransport.CHANNEL_CONFIGURATOR, BridgeStack.configurator(cluster, xml, node));
    }

    /** The stack of a cluster without a secret (its messages travel in clear: loopback only). */
    public static String xml(ClusterSettings cluster) {
        return xml(cluster, null, null);
    }

    /**
     * The stack; with a secret, {@code keyRef} names the keys handed to its {@link ClusterCipher}, and with the PKI
     * {@code tlsRef} names the TLS context handed to its {@link TlsTransport} (never a key: this XML is logged when the
     * channel fails to build).
     */
    public static String xml(ClusterSettings cluster, String keyRef, String tlsRef) {
        return xml(cluster, keyRef, tlsRef, false);
    }

    /**
     * The stack of the bridge between clusters ({@link BridgeStack}), from the bridge's view of the settings
     * ({@link ClusterSettings#bridgeView()}): the same as a member's, without FD_SOCK2 (no second port per site master:
     * FD_ALL3 and the suspect verification find a lost site master) and without FORK.
     */
    static String bridgeXml(ClusterSettings bridge, String keyRef) {
        return xml(bridge, keyRef, null, true);
    }

    private static String xml(ClusterSettings cluster, String keyRef, String tlsRef, boolean bridge) {
        StringBuilder xml = new StringBuilder(2048);
        xml.append("<config xmlns=\"urn:org:jgroups\">\n");
        xml.append("  <");
        if (cluster.overTls()) {
            // TCP with TLS: connects off the sending thread, queued sends (TlsTransport says why).
            xml.append(TlsTransport.class.getName())
                    .append(" tls_ref=\"")
                    .append(Objects.requireNonNull(tlsRef, "the PKI needs the TLS context's reference"))
                    .append("\" non_blocking_sends=\"true\" use_lock_to_send=\"false\"");
        } else {
            xml.append(ConnectTimeoutTransport.class.getName());
        }
        xml.append(" bind_addr=\"")
                .append(cluster.bindAddress())
                .append('"')
                .append(" bind_port=\"")
                .append(cluster.bindPort())
                .append('"')
                .append(" port_range=\"0\"");
        if (cluster.externalAddress() != null) {
            xml.append(" external_addr=\"").append(cluster.externalAddress()).append('"');
        }
        xml.append(" diag.enabled=\"false\" thread_naming_pattern=\"pl\" send_buf_size=\"640k\"")
                .append(" sock_conn_timeout=\"1s\" tcp_nodelay=\"true\" bundler_type=\"")
                .append(cluster.overTls() ? "per-destination" : "transfer-queue")
                .append('"')
                .append(" bundler.max_size=\"64k\" use_vthreads=\"false\"")
                .append(" thread_pool.min_threads=\"0\" thread_pool.max_threads=\"200\"")
                .append(" thread_pool.keep_alive_time=\"1m\"/>\n");
        xml.append("  <RED/>\n");
        if (cluster.encrypted()) {
            // Right above the transport: discovery, merges and failure detection are encrypted and authenticated too,
            // so a node without the secret is never answered and cannot make a member suspect or merge anything
            // (recorded messages of the protocols below NAKACK2/UNICAST3 can still be replayed: README, "Security").
            // SERIALIZE above the cipher makes the whole message (headers too) its payload.
            xml.append("  <")
                    .append(ClusterCipher.class.getName())
                    .append(" key_ref=\"")
                    .append(Objects.requireNonNull(keyRef, "a secret needs the keys' reference"))
                    .append(bridge ? "\" secret_setting=\"" + BridgeSettings.SECRET : "")
                    .append("\"/>\n");
            xml.append("  <SERIALIZE/>\n");
        }
        if (cluster.discovery() == ClusterSettings.Discovery.DNS) {
            xml.append("  <dns.DNS_PING dns_query=\"")
                    .append(cluster.dnsQuery())
                    .append("\" dns_record_type=\"A\" num_discovery_runs=\"3\"/>\n");
        } else {
            xml.append("  <TCPPING port_range=\"0\" initial_hosts=\"")
                    .append(cluster.initialHosts().stream()
                            .map(ClusterSettings.HostPort::toString)
                            .collect(Collectors.joining(",")))
                    .append("\"/>\n");
        }
        xml.append("  <MERGE3 min_interval=\"")
                .append(cluster.mergeMinInterval().toMillis())
                .append("\" max_interval=\"")
                .append(cluster.mergeMaxInterval().toMillis())
                .append("\"/>\n");
        if (!bridge) {
            // Bound like the transport: unbound, FD_SOCK2 listens on every interface and names itself
            // 127.0.0.1:<port>, the same name on every host (same ports), so each member took the others' CONNECT for
            // its own and no connect to a ping destination ever succeeded (each view change then stalled a second per
            // attempt).
            xml.append("  <FD_SOCK2 bind_addr=\"").append(cluster.bindAddress()).append('"');
            if (cluster.externalAddress() != null) {
                xml.append(" external_addr=\"")
                        .append(cluster.externalAddress())
                        .append('"');
            }
            xml.append(" offset=\"").append(cluster.fdPortOffset()).append("\" port_range=\"0\"/>\n");
        }
        xml.append("  <FD_ALL3 timeout=\"")
                .append(cluster.fdTimeout().toMillis())
                .append("\" interval=\"")
                .append(cluster.fdInterval().toMillis())
                .append("\"/>\n");
        // Two are-you-dead messages: they travel below UNICAST3, unacknowledged, and a full send queue drops them.
        // VERIFY_SUSPECT2 that passes a suspect up at once when its port refuses connections (kill -9).
        xml.append("  <")
                .append(ProbingVerifySuspect.class.getName())
                .append(" num_msgs=\"2\" timeout=\"")
                .append(cluster.verifySuspectTimeout().toMillis())
                .append("\"/>\n");
        xml.append("  <pbcast.NAKACK2 use_mcast_xmit=\"false\" xmit_interval=\"200ms\" xmit_table_num_rows=\"50\"")
                .append(" xmit_table_msgs_per_row=\"1024\" xmit_table_max_compaction_time=\"30s\"")
                .append(" resend_last_seqno=\"true\"/>\n");
        xml.append("  <UNICAST3 conn_close_timeout=\"5s\" xmit_interval=\"200ms\" xmit_table_num_rows=\"50\"")
                .append(" xmit_table_msgs_per_row=\"1024\" xmit_table_max_compaction_time=\"30s\"/>\n");
        xml.append("  <pbcast.STABLE desired_avg_gossip=\"5s\" max_bytes=\"1M\"/>\n");
        // A view's acks are awaited 500 ms, not 2 s: when a split cuts off two members whose suspicions come a moment
        // apart, the view without the first waits for the second's ack before the next view can drop it too, and a
        // cache write to the cut member waits as long (a 2|2 split's takeover came 2 s after the first exclusion).
        xml.append(
                "  <pbcast.GMS print_local_addr=\"false\" join_timeout=\"2s\" view_ack_collection_timeout=\"500ms\"/>\n");
        xml.append("  <UFC max_credits=\"4m\" min_threshold=\"0.40\"/>\n");
        xml.append("  <MFC max_credits=\"4m\" min_threshold=\"0.40\"/>\n");
        xml.append("  <FRAG4 frag_size=\"60k\"/>\n");
        if (!bridge) {
            xml.append("  <FORK/>\n");
        }
        xml.append("</config>\n");
        return xml.toString();
    }

    /** Fails the start unless the JGroups stack is exactly the TCP_NIO2 stack configured (never a multicast default). */
    static void verify(JChannel channel, ClusterSettings cluster) {
        TP transport = channel.getProtocolStack().getTransport();
        List<String> protocols = new ArrayList<>();
        for (Protocol p : channel.getProtocolStack().getProtocols()) {
            protocols.add(p.getName());
        }
        List<String> problems = new ArrayList<>();
        if (cluster.overTls() && !(transport instanceof TlsTransport)) {
            problems.add("transport is " + transport.getName() + ", not TCP over TLS (nova.cluster.tls.* is set)");
        }
        if (!cluster.overTls() && !(transport instanceof ConnectTimeoutTransport)) {
            problems.add("transport is " + transport.getName() + ", not TCP_NIO2 with bounded connects");
        }
        if (protocols.contains("MPING") || protocols.contains("PING") || protocols.contains("UDP")) {
            problems.add("a multicast protocol is in the stack " + protocols);
        }
        if (!protocols.contains("FORK")) {
            problems.add("FORK is missing");
        }
        String bound = transport.getBindAddress() == null
                ? "?"
                : transport.getBindAddress().getHostAddress();
        if (transport.getBindPort() != cluster.bindPort()) {
            problems.add("bound to port " + transport.getBindPort() + " instead of " + cluster.bindPort());
        }
        FD_SOCK2 fd = channel.getProtocolStack().findProtocol(FD_SOCK2.class);
        if (fd != null && !Objects.equals(fd.getBindAddress(), transport.getBindAddress())) {
            problems.add("FD_SOCK2 is bound to " + fd.getBindAddress() + ", not the transport's address");
        }
        if (channel.getProtocolStack().findProtocol(ProbingVerifySuspect.class) == null) {
            problems.add("the suspect verification is not " + ProbingVerifySuspect.class.getSimpleName());
        }
        int cipher = protocols.indexOf(ClusterCipher.class.getSimpleName());
        if (cluster.encrypted() && (cipher < 1 || !protocols.get(cipher - 1).equals("SERIALIZE"))) {
            problems.add("a secret is set but the messages are not encrypted by ClusterCipher below SERIALIZE");
        }
        if (!cluster.encrypted() && cipher >= 0) {
            problems.add("no secret is set but the stack holds a cipher");
        }
        boolean relayOnTop = protocols.size() > 1
                && protocols.get(0).equals(BridgeGate.class.getSimpleName())
                && protocols.get(1).equals("RELAY2");
        if (cluster.bridged() && !relayOnTop) {
            problems.add("bridges are configured but RELAY2 under the bridge gate is not on top of the stack");
        }
        if (!cluster.bridged() && protocols.contains("RELAY2")) {
            problems.add("no bridge is configured but the stack holds RELAY2");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "NOVA-1002 the JGroups stack is not the one configured: " + String.join("; ", problems));
        }
        String protection = cluster.overTls()
                ? "members connected over TLS 1.3, both sides' certificates checked against nova.cluster.tls.truststore"
                : cluster.encrypted()
                        ? "every message encrypted and authenticated with the cluster secret ("
                                + (cluster.previousSecret() == null
                                        ? "no previous secret"
                                        : "the previous secret accepted too")
                                + ")"
                        : "messages IN CLEAR (no nova.cluster.secret: loopback only)";
        LOG.info(() -> "NOVA-1003 JGroups " + String.join(" > ", reversed(protocols)) + " on " + bound + ":"
                + transport.getBindPort() + ", cluster " + cluster.name() + ", " + protection
                + (cluster.bridged()
                        ? "; bridged to " + cluster.bridge().clusters() + " through port "
                                + cluster.bridge().bindPort()
                                + " (" + cluster.bridge().mode().value() + ", "
                                + (cluster.bridge().secret() == null ? "IN CLEAR" : "encrypted with the bridge secret")
                                + ")"
                        : ""));
    }

    private static List<String> reversed(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        Collections.reverse(copy);
        return copy;
    }
}
