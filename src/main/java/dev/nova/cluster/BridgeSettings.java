package dev.nova.cluster;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.config.SecretSetting;
import dev.nova.model.Names;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The bridges of this cluster to other Nova clusters (the {@code nova.cluster.bridge*} keys): Infinispan cross-site
 * replication over JGroups RELAY2, each cluster a site named by its {@code nova.cluster.name}. The member that is
 * this cluster's site master (its coordinator) joins the bridge: a JGroups cluster of every bridged cluster's site
 * master, on {@code bridge.bind-port}, discovered through {@code bridge.initial-hosts} and encrypted and
 * authenticated with a key derived from {@code bridge.secret} ({@link BridgeStack}).
 *
 * @param clusters the other clusters' names, in the order configured
 * @param mode what crosses the bridge
 * @param bindPort the bridge transport's port on {@code nova.cluster.bind-address}
 * @param initialHosts the bridge endpoints of every cluster, this one's included
 * @param secret the secret every bridged cluster shares, or null (in clear: loopback only)
 */
public record BridgeSettings(
        List<String> clusters,
        Mode mode,
        int bindPort,
        List<ClusterSettings.HostPort> initialHosts,
        SecretSetting secret) {

    /** What crosses a bridge. */
    public enum Mode {
        /**
         * The subscription registry only (the seed's {@code :subscriptions_only}): clients' settings and secrets,
         * ownership, market data and rate-limit budgets stay in their cluster.
         */
        SUBSCRIPTIONS_ONLY;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The name of the JGroups cluster the site masters of every bridged cluster form. */
    public static final String BRIDGE_CLUSTER = "nova-bridge";

    static final String CLUSTERS = "nova.cluster.bridge-clusters";
    static final String MODE = "nova.cluster.bridge-mode";
    static final String BIND_PORT = "nova.cluster.bridge.bind-port";
    static final String INITIAL_HOSTS = "nova.cluster.bridge.initial-hosts";
    static final String SECRET = "nova.cluster.bridge.secret";

    public BridgeSettings {
        clusters = List.copyOf(clusters);
        initialHosts = List.copyOf(initialHosts);
    }

    /**
     * Reads the bridge keys; null when {@code bridge-clusters} is unset. A bridge key without bridge clusters, this
     * cluster's own name among them, a port that the cluster transport uses, or a bridge in clear on an address other
     * hosts reach are refused, naming the key.
     */
    static BridgeSettings read(
            ConfigReader config, boolean enabled, String name, String bindAddress, int bindPort, int fdOffset) {
        List<String> listed = config.list(CLUSTERS);
        if (listed.isEmpty()) {
            for (String key : List.of(MODE, BIND_PORT, INITIAL_HOSTS, SECRET)) {
                if (config.optional(key).filter(v -> !v.isBlank()).isPresent()) {
                    throw new ConfigException(key, "is set but " + CLUSTERS + " is not: name the clusters to bridge");
                }
            }
            return null;
        }
        if (!enabled) {
            throw new ConfigException(CLUSTERS, "bridges need clustering: nova.cluster.enabled is false");
        }
        Set<String> clusters = new LinkedHashSet<>();
        for (String cluster : listed) {
            if (!Names.NAME.matcher(cluster).matches()) {
                throw new ConfigException(CLUSTERS, "'" + cluster + "' is not a valid cluster name");
            }
            if (cluster.equals(name)) {
                throw new ConfigException(
                        CLUSTERS, "'" + cluster + "' is this cluster's own name (nova.cluster.name): list the others");
            }
            if (!clusters.add(cluster)) {
                throw new ConfigException(CLUSTERS, "'" + cluster + "' is listed twice");
            }
        }
        String modeValue = config.optional(MODE).orElse("subscriptions_only");
        Mode mode =
                switch (modeValue.trim().toLowerCase(Locale.ROOT)) {
                    case "subscriptions_only" -> Mode.SUBSCRIPTIONS_ONLY;
                    default -> throw new ConfigException(
                            MODE, "'" + modeValue + "' is not a bridge mode: the only one is subscriptions_only");
                };
        if (config.optional(BIND_PORT).isEmpty()) {
            throw new ConfigException(BIND_PORT, "a bridged cluster needs the port of its bridge transport");
        }
        int port = config.intValue(BIND_PORT, 1, 65535);
        if (port == bindPort || port == bindPort + fdOffset) {
            throw new ConfigException(
                    BIND_PORT, port + " is taken by the cluster transport (nova.cluster.bind-port, its FD_SOCK2 port)");
        }
        List<ClusterSettings.HostPort> hosts = ClusterSettings.hostPorts(config, INITIAL_HOSTS);
        if (hosts.isEmpty()) {
            throw new ConfigException(
                    INITIAL_HOSTS, "a bridged cluster needs the bridge endpoints (host[port]) of every cluster");
        }
        SecretSetting secret =
                config.secret(SECRET, ClusterSettings.SECRET_MIN_LENGTH).orElse(null);
        if (secret == null && !ClusterSettings.loopback(bindAddress)) {
            throw new ConfigException(
                    SECRET,
                    "a bridge on " + bindAddress + ", which other hosts can reach, needs a secret: set " + SECRET
                            + " (env NOVA_CLUSTER_BRIDGE_SECRET) to the same value of at least "
                            + ClusterSettings.SECRET_MIN_LENGTH + " characters in every bridged cluster");
        }
        return new BridgeSettings(List.copyOf(clusters), mode, port, hosts, secret);
    }

    /** Whether {@code cluster} is one of the bridged clusters. */
    public boolean bridges(String cluster) {
        return clusters.contains(cluster);
    }

    @Override
    public String toString() {
        return "BridgeSettings[clusters=" + clusters + ", mode=" + mode.value() + ", bindPort=" + bindPort
                + ", initialHosts=" + initialHosts + ", secret=" + (secret == null ? "none" : "set") + "]";
    }
}
