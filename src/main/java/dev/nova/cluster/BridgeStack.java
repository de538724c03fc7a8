package dev.nova.cluster;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.sql.DataSource;
import org.infinispan.remoting.transport.jgroups.JGroupsChannelConfigurator;
import org.jgroups.JChannel;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.protocols.relay.RELAY2;
import org.jgroups.protocols.relay.config.RelayConfig;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.SocketFactory;

/**
 * The channel of a bridged cluster: the member stack ({@link JGroupsStack}) with JGroups RELAY2 on top, which is what
 * Infinispan's cross-site replication runs on, and above it the {@link BridgeGate}. The site is this cluster ({@code nova.cluster.name}); the member that is
 * site master (the coordinator: one per site) connects the bridge, a JGroups cluster of the site masters of every
 * bridged cluster ({@link BridgeSettings#BRIDGE_CLUSTER}), whose stack is the member stack on the bridge's port,
 * endpoints and secret. A site master that steps down closes its bridge and the next coordinator opens one: each time
 * a new channel, its keys handed to its cipher as the member stack's are (never through the XML).
 */
final class BridgeStack {

    private BridgeStack() {}

    /**
     * The member channel with RELAY2 on top, unconnected (Infinispan connects it). Built here rather than by
     * Infinispan from the XML: RELAY2 needs its site's bridge as an object, and an XML one would name a file.
     */
    static JChannel channel(ClusterSettings cluster, String memberXml, String nodeName) throws Exception {
        JChannel channel = new JChannel(new ByteArrayInputStream(memberXml.getBytes(StandardCharsets.UTF_8)));
        try {
            channel.setName(nodeName);
            RELAY2 relay = new RELAY2();
            relay.setSite(cluster.name());
            relay.setMaxSiteMasters(1);
            // Infinispan sends to other sites by unicast to their site master; no multicast of this cluster crosses.
            relay.relayMulticasts(false);
            relay.addSite(cluster.name(), new RelayConfig.SiteConfig(cluster.name()).addBridge(new Bridge(cluster)));
            ProtocolStack stack = channel.getProtocolStack();
            relay.setProtocolStack(stack);
            stack.insertProtocolAtTop(relay);
            relay.init();
            Set<String> sites = new HashSet<>(cluster.bridge().clusters());
            sites.add(cluster.name());
            BridgeGate gate = new BridgeGate(sites);
            gate.setProtocolStack(stack);
            stack.insertProtocolAtTop(gate);
            gate.init();
            return channel;
        } catch (Exception | Error e) {
            channel.close();
            throw e;
        }
    }

    /** Hands Infinispan the bridged member channel when its transport starts. */
    static JGroupsChannelConfigurator configurator(ClusterSettings cluster, String memberXml, String nodeName) {
        return new JGroupsChannelConfigurator() {
            @Override
            public String getName() {
                return "nova-bridged";
            }

            @Override
            public JChannel createChannel(String name) throws Exception {
                return channel(cluster, memberXml, nodeName);
            }

            @Override
            public void setSocketFactory(SocketFactory socketFactory) {
                // Nova's transports make their own sockets.
            }

            @Override
            public void setDataSource(DataSource dataSource) {
                // No JDBC discovery.
            }

            @Override
            public String getProtocolStackString() {
                return memberXml;
            }

            @Override
            public List<ProtocolConfiguration> getProtocolStack() {
                return List.of();
            }
        };
    }

    /** The bridge of this site: a new channel each time this member becomes site master. */
    private static final class Bridge extends RelayConfig.BridgeConfig {

        private final ClusterSettings bridge;
        private final ClusterCipher.Keys keys;

        Bridge(ClusterSettings cluster) {
            super(BridgeSettings.BRIDGE_CLUSTER);
            this.bridge = cluster.bridgeView();
            SecretKey key = bridge.encrypted()
                    ? ClusterKeys.derive(bridge.secret(), BridgeSettings.BRIDGE_CLUSTER, ClusterKeys.MESSAGES)
                    : null;
            this.keys = key == null ? null : new ClusterCipher.Keys(key, null);
        }

        @Override
        public JChannel createChannel() throws Exception {
            String keyRef = keys == null ? null : ClusterCipher.hand(keys);
            try {
                byte[] xml = JGroupsStack.bridgeXml(bridge, keyRef).getBytes(StandardCharsets.UTF_8);
                return new JChannel(new ByteArrayInputStream(xml));
            } finally {
                ClusterCipher.withdraw(keyRef);
            }
        }
    }
}
