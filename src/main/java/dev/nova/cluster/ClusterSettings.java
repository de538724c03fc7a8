package dev.nova.cluster;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.config.SecretSetting;
import dev.nova.model.Names;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How this node joins the cluster (the {@code nova.cluster.*} keys).
 *
 * @param enabled false runs a single node with local caches and no JGroups at all
 * @param name the JGroups cluster name; nodes with different names never see each other
 * @param bindAddress the address JGroups binds to (never a wildcard: a node must know which interface it uses)
 * @param bindPort the JGroups TCP port
 * @param fdPortOffset FD_SOCK2 listens on {@code bindPort + fdPortOffset}
 * @param discovery how members find each other
 * @param initialHosts members to contact for {@code static} discovery
 * @param dnsQuery the DNS name listing members for {@code dns} discovery (a Kubernetes headless service)
 * @param externalAddress the address advertised to other members, or null for the bind address
 * @param syncInterval how often the subscription registry is reconciled with the sessions
 * @param distributedSubscriptions false keeps the subscription registry node-local
 *     ({@code nova.cluster.components.subscriptions}, alias {@code nova.cluster.distributed-subscriptions})
 * @param fdTimeout a member silent this long is suspected (JGroups FD_ALL3)
 * @param fdInterval heartbeat interval of FD_ALL3
 * @param verifySuspectTimeout how long a suspected member has to answer before it leaves the view (JGroups
 *     VERIFY_SUSPECT2, which also looks at its suspects at this period: a suspicion is confirmed one to two times this
 *     after it arose; at once when its port refuses connections, {@link ProbingVerifySuspect})
 * @param quorumSize members a side needs to keep running its clients, or null for the majority rule
 * @param partitionHandling what a side that lost members without a graceful leave does
 * @param stableAfter how long a view that lost members must stay unchanged (and hold quorum) before quorum is counted
 *     among its members ({@link ViewHistory})
 * @param mergeMinInterval the shortest period between two merge checks (JGroups MERGE3 {@code min_interval})
 * @param mergeMaxInterval the longest period between two merge checks (JGroups MERGE3 {@code max_interval})
 * @param secret the cluster secret (the seed's cookie): every message between members is encrypted and authenticated
 *     with a key derived from it ({@link ClusterCipher}); null sends in clear, allowed on a loopback address only
 * @param previousSecret a secret also accepted, never sent with, during a rolling rotation; or null
 * @param tls the cluster's PKI instead of the secret: members talk over TLS with client authentication
 *     ({@link TlsTransport}); the secret, when set too, then only seals exchange secrets; or null
 * @param bridge the other clusters this one shares its subscriptions with ({@link BridgeSettings}), or null
 */
public record ClusterSettings(
        boolean enabled,
        String name,
        String bindAddress,
        int bindPort,
        int fdPortOffset,
        Discovery discovery,
        List<HostPort> initialHosts,
        String dnsQuery,
        String externalAddress,
        Duration syncInterval,
        boolean distributedSubscriptions,
        Duration fdTimeout,
        Duration fdInterval,
        Duration verifySuspectTimeout,
        Integer quorumSize,
        PartitionHandling partitionHandling,
        Duration stableAfter,
        Duration mergeMinInterval,
        Duration mergeMaxInterval,
        SecretSetting secret,
        SecretSetting previousSecret,
        ClusterTls tls,
        BridgeSettings bridge) {

    /** How members find each other. */
    public enum Discovery {
        /** A fixed list of members (JGroups TCPPING). */
        STATIC,
        /** DNS A records, e.g. a Kubernetes headless service (JGroups DNS_PING). */
        DNS
    }

    /** One member address of the static list. */
    public record HostPort(String host, int port) {

        @Override
        public String toString() {
            return host + "[" + port + "]";
        }
    }

    private static final long HOUR_MS = 3_600_000L;

    /** The shortest cluster secret accepted. */
    public static final int SECRET_MIN_LENGTH = 16;

    private static final Pattern HOST_PORT = Pattern.compile("([^\\[\\]\\s]+)\\[(\\d{1,5})\\]");

    /** Reads the {@code nova.cluster.*} keys; a bad value is a {@link ConfigException} naming its key. */
    public static ClusterSettings read(ConfigReader config) {
        boolean enabled = config.bool("nova.cluster.enabled", true);
        String name = config.matching("nova.cluster.name", Names.NAME, "a valid cluster name");
        String bindAddress = config.address("nova.cluster.bind-address");
        int bindPort = config.intValue("nova.cluster.bind-port", 1, 65535);
        int offset = config.intValue("nova.cluster.fd-port-offset", 1, 65534);
        if (bindPort + offset > 65535) {
            throw new ConfigException(
                    "nova.cluster.fd-port-offset",
                    "bind-port " + bindPort + " + offset " + offset + " is beyond 65535 (FD_SOCK2 listens there)");
        }
        Discovery discovery =
                switch (config.string("nova.cluster.discovery").toLowerCase(Locale.ROOT)) {
                    case "static" -> Discovery.STATIC;
                    case "dns" -> Discovery.DNS;
                    default -> throw new ConfigException(
                            "nova.cluster.discovery",
                            "'" + config.string("nova.cluster.discovery") + "' is neither static nor dns");
                };
        List<HostPort> hosts = initialHosts(config, bindAddress, bindPort);
        String dnsQuery = config.optional("nova.cluster.dns-query").orElse(null);
        if (enabled && discovery == Discovery.DNS && dnsQuery == null) {
            throw new ConfigException(
                    "nova.cluster.dns-query",
                    "dns discovery needs the DNS name to query, e.g. "
                            + "nova.nova.svc.cluster.local (a headless service)");
        }
        String external = config.optional("nova.cluster.external-address")
                .map(a -> ConfigReader.address("nova.cluster.external-address", a))
                .orElse(null);
        Duration fdTimeout = config.millis("nova.cluster.fd-timeout", 100, HOUR_MS);
        Duration fdInterval = config.millis("nova.cluster.fd-interval", 50, HOUR_MS);
        if (fdInterval.compareTo(fdTimeout) >= 0) {
            throw new ConfigException(
                    "nova.cluster.fd-interval",
                    fdInterval.toMillis() + " must be below nova.cluster.fd-timeout (" + fdTimeout.toMillis() + ")");
        }
        long lease = fdTimeout.toMillis() - fdInterval.toMillis();
        long beat = leaseBeatMillis(fdInterval);
        if (lease < 4 * beat) {
            throw new ConfigException(
                    "nova.cluster.fd-timeout",
                    fdTimeout.toMillis() + " leaves a lease (fd-timeout - fd-interval) of " + lease
                            + " ms, too short for a round trip of lease beats sent every " + beat
                            + " ms: it must be at least " + 4 * beat + " ms");
        }
        String handlingValue = config.string("nova.cluster.partition-handling");
        PartitionHandling handling = PartitionHandling.of(handlingValue)
                .orElseThrow(() -> new ConfigException(
                        "nova.cluster.partition-handling",
                        "'" + handlingValue + "' is none of pause_minority, pause_all, ignore"));
        Duration stableAfter = config.millis("nova.cluster.stable-after", 100, HOUR_MS);
        if (stableAfter.compareTo(fdTimeout) <= 0) {
            throw new ConfigException(
                    "nova.cluster.stable-after",
                    stableAfter.toMillis() + " must exceed nova.cluster.fd-timeout (" + fdTimeout.toMillis()
                            + "): the other side of a partition must have seen it before a smaller view is trusted");
        }
        Duration mergeMin = config.millis("nova.cluster.merge-min-interval", 100, HOUR_MS);
        Duration mergeMax = config.millis("nova.cluster.merge-max-interval", 200, HOUR_MS);
        if (mergeMax.compareTo(mergeMin) <= 0) {
            throw new ConfigException(
                    "nova.cluster.merge-max-interval",
                    mergeMax.toMillis() + " must exceed nova.cluster.merge-min-interval (" + mergeMin.toMillis() + ")");
        }
        SecretSetting secret =
                config.secret("nova.cluster.secret", SECRET_MIN_LENGTH).orElse(null);
        SecretSetting previous =
                config.secret("nova.cluster.previous-secret", SECRET_MIN_LENGTH).orElse(null);
        ClusterTls tls = ClusterTls.read(config);
        boolean distributedSubscriptions =
                config.bool("nova.cluster.components.subscriptions", "nova.cluster.distributed-subscriptions", true);
        BridgeSettings bridge = BridgeSettings.read(config, enabled, name, bindAddress, bindPort, offset);
        if (bridge != null && !distributedSubscriptions) {
            throw new ConfigException(
                    BridgeSettings.CLUSTERS,
                    "bridges share the subscription registry, which nova.cluster.components.subscriptions=false keeps"
                            + " node-local: turn it back on, or drop the bridges");
        }
        if (enabled) {
            checkSecrets(bindAddress, secret, previous, tls);
        }
        return new ClusterSettings(
                enabled,
                name,
                bindAddress,
                bindPort,
                offset,
                discovery,
                hosts,
                dnsQuery,
                external,
                config.millis("nova.cluster.sync-interval", 100, 24 * HOUR_MS),
                distributedSubscriptions,
                fdTimeout,
                fdInterval,
                config.millis("nova.cluster.verify-suspect-timeout", 50, 60_000),
                config.optional("nova.cluster.quorum-size")
                        .map(v -> config.intValue("nova.cluster.quorum-size", 1, 1000))
                        .orElse(null),
                handling,
                stableAfter,
                mergeMin,
                mergeMax,
                secret,
                previous,
                tls,
                bridge);
    }

    /**
     * A node that is reachable from other hosts clusters only with a secret or the PKI; a previous secret goes with a
     * new one.
     */
    private static void checkSecrets(String bindAddress, SecretSetting secret, SecretSetting previous, ClusterTls tls) {
        if (secret == null && tls == null && !loopback(bindAddress)) {
            throw new ConfigException(
                    "nova.cluster.secret",
                    "clustering on " + bindAddress + ", which other hosts can reach, needs a cluster secret: set "
                            + "nova.cluster.secret (env NOVA_CLUSTER_SECRET) to the same value of at least "
                            + SECRET_MIN_LENGTH + " characters on every node (or the cluster's PKI, "
                            + "nova.cluster.tls.*)");
        }
        if (previous != null && secret == null) {
            throw new ConfigException(
                    "nova.cluster.previous-secret",
                    "a previous secret is accepted only beside a current one: set nova.cluster.secret too");
        }
        if (previous != null && previous.reveal().equals(secret.reveal())) {
            throw new ConfigException(
                    "nova.cluster.previous-secret", "is the same as nova.cluster.secret: drop it, or set the new one");
        }
    }

    /** Whether every address of the name is a loopback address; a name that does not resolve is not. */
    static boolean loopback(String address) {
        try {
            InetAddress[] all = InetAddress.getAllByName(address);
            for (InetAddress one : all) {
                if (!one.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether members encrypt and authenticate their messages with the secret ({@link ClusterCipher}). */
    public boolean encrypted() {
        return secret != null && tls == null;
    }

    /** Whether this cluster is bridged to others (cross-site replication of its subscriptions). */
    public boolean bridged() {
        return bridge != null;
    }

    /**
     * The settings the bridge stack is written from ({@link JGroupsStack#bridgeXml}): this node's address with the
     * bridge's port, endpoints and secret, never the cluster's PKI.
     */
    ClusterSettings bridgeView() {
        if (bridge == null) {
            throw new IllegalStateException("this cluster is not bridged");
        }
        return new ClusterSettings(
                enabled,
                BridgeSettings.BRIDGE_CLUSTER,
                bindAddress,
                bridge.bindPort(),
                fdPortOffset,
                Discovery.STATIC,
                bridge.initialHosts(),
                null,
                externalAddress,
                syncInterval,
                distributedSubscriptions,
                fdTimeout,
                fdInterval,
                verifySuspectTimeout,
                quorumSize,
                partitionHandling,
                stableAfter,
                mergeMinInterval,
                mergeMaxInterval,
                bridge.secret(),
                null,
                null,
                null);
    }

    /** Whether members talk over TLS, authenticated by the cluster's PKI. */
    public boolean overTls() {
        return tls != null;
    }

    /** {@code host[port],host[port]}; defaults to this node alone. */
    private static List<HostPort> initialHosts(ConfigReader config, String bindAddress, int bindPort) {
        List<HostPort> hosts = hostPorts(config, "nova.cluster.initial-hosts");
        return hosts.isEmpty() ? List.of(new HostPort(bindAddress, bindPort)) : hosts;
    }

    /** The {@code host[port],host[port]} list of {@code key}; empty when unset. */
    static List<HostPort> hostPorts(ConfigReader config, String key) {
        List<String> entries = config.list(key);
        List<HostPort> hosts = new ArrayList<>();
        for (String entry : entries) {
            Matcher matcher = HOST_PORT.matcher(entry);
            if (!matcher.matches()) {
                throw new ConfigException(key, "'" + entry + "' is not host[port]");
            }
            int port = Integer.parseInt(matcher.group(2));
            if (port < 1 || port > 65535) {
                throw new ConfigException(key, "port " + port + " of '" + entry + "' is out of range");
            }
            hosts.add(new HostPort(ConfigReader.address(key, matcher.group(1)), port));
        }
        return List.copyOf(hosts);
    }

    /**
     * How often the cluster lease beats: a quarter of {@code fd-interval}, between 50 and 250 ms. A node is confirmed
     * while the others echo a beat it sent less than a lease ago, so the lease must hold a few of them.
     */
    public static long leaseBeatMillis(Duration fdInterval) {
        return Math.max(50, Math.min(250, fdInterval.toMillis() / 4));
    }
}
