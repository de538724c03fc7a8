package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.config.SecretSetting;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jgroups.JChannel;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.conf.XmlConfigurator;
import org.jgroups.protocols.FD_SOCK2;
import org.junit.jupiter.api.Test;

/** The generated stack parses as JGroups configuration and never contains multicast discovery. */
class JGroupsStackTest {

    private static ClusterSettings settings(ClusterSettings.Discovery discovery) {
        return settings(
                "nova-test",
                "127.0.0.1",
                27801,
                discovery,
                List.of(
                        new ClusterSettings.HostPort("127.0.0.1", 27801),
                        new ClusterSettings.HostPort("127.0.0.2", 27802)));
    }

    /** Default timings (FD 3 s / 1 s / 300 ms, merges 2 s / 5 s), FD port offset 100. */
    static ClusterSettings settings(
            String name,
            String address,
            int port,
            ClusterSettings.Discovery discovery,
            List<ClusterSettings.HostPort> hosts) {
        return settings(name, address, port, discovery, hosts, Duration.ofMillis(300));
    }

    /** The same with another suspect verification timeout. */
    static ClusterSettings settings(
            String name,
            String address,
            int port,
            ClusterSettings.Discovery discovery,
            List<ClusterSettings.HostPort> hosts,
            Duration verifySuspectTimeout) {
        return new ClusterSettings(
                true,
                name,
                address,
                port,
                100,
                discovery,
                hosts,
                "nova.nova.svc.cluster.local",
                null,
                Duration.ofSeconds(15),
                true,
                Duration.ofSeconds(3),
                Duration.ofSeconds(1),
                verifySuspectTimeout,
                null,
                PartitionHandling.PAUSE_MINORITY,
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                null,
                null,
                null,
                null);
    }

    /** The same settings with a cluster secret and, or null, a previous one. */
    static ClusterSettings withSecrets(ClusterSettings s, String secret, String previous) {
        return with(
                s,
                secret == null ? null : new SecretSetting(secret),
                previous == null ? null : new SecretSetting(previous),
                s.tls());
    }

    /** The same settings with the cluster's PKI. */
    static ClusterSettings withTls(ClusterSettings s, ClusterTls tls) {
        return with(s, s.secret(), s.previousSecret(), tls);
    }

    private static ClusterSettings with(
            ClusterSettings s, SecretSetting secret, SecretSetting previous, ClusterTls tls) {
        return copy(s, secret, previous, tls, s.bridge());
    }

    /** The same settings, bridged. */
    static ClusterSettings withBridge(ClusterSettings s, BridgeSettings bridge) {
        return copy(s, s.secret(), s.previousSecret(), s.tls(), bridge);
    }

    private static ClusterSettings copy(
            ClusterSettings s, SecretSetting secret, SecretSetting previous, ClusterTls tls, BridgeSettings bridge) {
        return new ClusterSettings(
                s.enabled(),
                s.name(),
                s.bindAddress(),
                s.bindPort(),
                s.fdPortOffset(),
                s.discovery(),
                s.initialHosts(),
                s.dnsQuery(),
                s.externalAddress(),
                s.syncInterval(),
                s.distributedSubscriptions(),
                s.fdTimeout(),
                s.fdInterval(),
                s.verifySuspectTimeout(),
                s.quorumSize(),
                s.partitionHandling(),
                s.stableAfter(),
                s.mergeMinInterval(),
                s.mergeMaxInterval(),
                secret,
                previous,
                tls,
                bridge);
    }

    private static List<ProtocolConfiguration> parse(String xml) throws Exception {
        return XmlConfigurator.getInstance(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                .getProtocolStack();
    }

    @Test
    void staticDiscoveryUsesTcppingOverTcpOnTheBindAddress() throws Exception {
        List<ProtocolConfiguration> stack = parse(JGroupsStack.xml(settings(ClusterSettings.Discovery.STATIC)));

        assertThat(stack)
                .extracting(ProtocolConfiguration::getProtocolName)
                .startsWith(ConnectTimeoutTransport.class.getName(), "RED", "TCPPING")
                .contains("FD_SOCK2", "FD_ALL3", ProbingVerifySuspect.class.getName(), "MERGE3")
                .endsWith("FORK")
                .doesNotContain("UDP", "MPING", "PING");
        ProtocolConfiguration tcp = stack.get(0);
        assertThat(tcp.getProperties())
                .containsEntry("bind_addr", "127.0.0.1")
                .containsEntry("bind_port", "27801")
                .containsEntry("port_range", "0")
                .containsEntry("diag.enabled", "false")
                .containsEntry("tcp_nodelay", "true")
                .containsEntry("sock_conn_timeout", "1s");
        assertThat(stack.get(2).getProperties())
                .containsEntry("initial_hosts", "127.0.0.1[27801],127.0.0.2[27802]")
                .containsEntry("port_range", "0");
        ProtocolConfiguration fd = stack.stream()
                .filter(p -> p.getProtocolName().equals("FD_ALL3"))
                .findFirst()
                .get();
        assertThat(fd.getProperties()).containsEntry("timeout", "3000").containsEntry("interval", "1000");
        ProtocolConfiguration verify = stack.stream()
                .filter(p -> p.getProtocolName().equals(ProbingVerifySuspect.class.getName()))
                .findFirst()
                .get();
        assertThat(verify.getProperties()).containsEntry("timeout", "300").containsEntry("num_msgs", "2");
        ProtocolConfiguration merge = stack.stream()
                .filter(p -> p.getProtocolName().equals("MERGE3"))
                .findFirst()
                .get();
        assertThat(merge.getProperties()).containsEntry("min_interval", "2000").containsEntry("max_interval", "5000");
    }

    @Test
    void jgroupsAcceptsEveryAttributeOfTheStack() throws Exception {
        // Building the channel instantiates every protocol with its attributes; it is never connected.
        String xml = JGroupsStack.xml(settings(ClusterSettings.Discovery.STATIC));
        try (JChannel channel = new JChannel(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))) {
            assertThat(channel.getProtocolStack().getTransport())
                    .isInstanceOf(ConnectTimeoutTransport.class)
                    .extracting(t -> t.getBindPort())
                    .isEqualTo(27801);
            assertThat((Object) channel.getProtocolStack().findProtocol("FORK")).isNotNull();
            FD_SOCK2 fd = channel.getProtocolStack().findProtocol(FD_SOCK2.class);
            assertThat(fd.getBindAddress())
                    .as("the failure detector listens on the transport's address, not on every interface")
                    .isEqualTo(channel.getProtocolStack().getTransport().getBindAddress());
        }
    }

    @Test
    void dnsDiscoveryQueriesTheConfiguredName() throws Exception {
        List<ProtocolConfiguration> stack = parse(JGroupsStack.xml(settings(ClusterSettings.Discovery.DNS)));

        ProtocolConfiguration dns = stack.get(2);
        assertThat(dns.getProtocolName()).isEqualTo("dns.DNS_PING");
        assertThat(dns.getProperties()).containsEntry("dns_query", "nova.nova.svc.cluster.local");
        assertThat(stack).extracting(ProtocolConfiguration::getProtocolName).doesNotContain("TCPPING");
    }

    @Test
    void aSecretPutsTheCipherAndSerializeRightAboveTheTransportAndNeverTheSecretInTheXml() throws Exception {
        ClusterSettings settings =
                withSecrets(settings(ClusterSettings.Discovery.STATIC), "correct horse battery staple", null);
        String xml = JGroupsStack.xml(settings, "ref-1", null);

        assertThat(xml).doesNotContain("correct horse");
        List<ProtocolConfiguration> stack = parse(xml);
        assertThat(stack)
                .extracting(ProtocolConfiguration::getProtocolName)
                .startsWith(
                        ConnectTimeoutTransport.class.getName(),
                        "RED",
                        ClusterCipher.class.getName(),
                        "SERIALIZE",
                        "TCPPING");
        assertThat(stack.get(2).getProperties()).containsOnly(java.util.Map.entry("key_ref", "ref-1"));
        assertThat(parse(JGroupsStack.xml(settings(ClusterSettings.Discovery.STATIC))))
                .extracting(ProtocolConfiguration::getProtocolName)
                .doesNotContain(ClusterCipher.class.getName(), "SERIALIZE");
    }
}
