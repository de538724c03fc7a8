package dev.nova.config;

import dev.nova.NovaException;
import dev.nova.client.ClientValidator;
import dev.nova.cluster.ClusterSettings;
import dev.nova.connection.BackoffPolicy;
import dev.nova.connection.ConnectionSettings;
import dev.nova.failover.FailoverSettings;
import dev.nova.model.ClientSpec;
import dev.nova.platform.Platform;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.binance.BinanceAdapter;
import dev.nova.ratelimit.RateLimitSettings;
import dev.nova.routing.ExchangeRegions;
import dev.nova.stream.StreamSettings;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link NovaSettings} from a key lookup (MicroProfile Config in the server, a map in unit tests). The key
 * names here are a contract with operators: see the configuration reference in README.md.
 */
public final class SettingsLoader {

    private static final long HOUR_MS = 3_600_000L;
    private static final Pattern HOST_PORT = Pattern.compile("([^\\[\\]\\s]+)\\[(\\d{1,5})\\]");

    private final ConfigReader config;

    public SettingsLoader(Function<String, Optional<String>> lookup) {
        this.config = new ConfigReader(lookup);
    }

    /** Reads and validates everything; throws {@link ConfigException} naming the first bad key. */
    public NovaSettings load() {
        PlatformCatalog platforms = new PlatformCatalog(
                url("nova.platform.deribit.url"),
                url("nova.platform.binance.url"),
                config.intValue(
                        "nova.platform.binance.max-streams-per-connection",
                        1,
                        BinanceAdapter.MAX_STREAMS_PER_CONNECTION));
        ClusterSettings cluster = cluster();
        return new NovaSettings(
                nodeName(),
                region("nova.node.region"),
                cluster,
                failover(),
                exchanges(),
                platforms,
                connection(),
                stream(),
                rateLimits(cluster),
                clients(new ClientValidator(platforms)));
    }

    private String nodeName() {
        String name = config.optional("nova.node.name").orElseGet(SettingsLoader::hostName);
        try {
            return ClientValidator.checkName(name);
        } catch (NovaException e) {
            throw new ConfigException("nova.node.name", e.getMessage());
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "nova";
        }
    }

    private String region(String key) {
        String region = config.string(key);
        if (!region.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new ConfigException(key, "'" + region + "' is not a valid region name");
        }
        return region;
    }

    private URI url(String key) {
        String raw = config.string(key);
        try {
            URI uri = new URI(raw);
            if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigException(key, "'" + raw + "' is not a ws:// or wss:// URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + raw + "' is not a valid URI");
        }
    }

    private ClusterSettings cluster() {
        boolean enabled = config.bool("nova.cluster.enabled", true);
        String name = config.string("nova.cluster.name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new ConfigException("nova.cluster.name", "'" + name + "' is not a valid cluster name");
        }
        String bindAddress = address("nova.cluster.bind-address", config.string("nova.cluster.bind-address"));
        int bindPort = config.intValue("nova.cluster.bind-port", 1, 65535);
        int offset = config.intValue("nova.cluster.fd-port-offset", 1, 65534);
        if (bindPort + offset > 65535) {
            throw new ConfigException(
                    "nova.cluster.fd-port-offset",
                    "bind-port " + bindPort + " + offset " + offset + " is beyond 65535 (FD_SOCK2 listens there)");
        }
        ClusterSettings.Discovery discovery =
                switch (config.string("nova.cluster.discovery").toLowerCase(Locale.ROOT)) {
                    case "static" -> ClusterSettings.Discovery.STATIC;
                    case "dns" -> ClusterSettings.Discovery.DNS;
                    default -> throw new ConfigException(
                            "nova.cluster.discovery",
                            "'" + config.string("nova.cluster.discovery") + "' is neither static nor dns");
                };
        List<ClusterSettings.HostPort> hosts = initialHosts(bindAddress, bindPort);
        String dnsQuery = config.optional("nova.cluster.dns-query").orElse(null);
        if (enabled && discovery == ClusterSettings.Discovery.DNS && dnsQuery == null) {
            throw new ConfigException(
                    "nova.cluster.dns-query",
                    "dns discovery needs the DNS name to query, e.g. "
                            + "nova.nova.svc.cluster.local (a headless service)");
        }
        String external = config.optional("nova.cluster.external-address")
                .map(a -> address("nova.cluster.external-address", a))
                .orElse(null);
        Duration fdTimeout = config.millis("nova.cluster.fd-timeout", 100, HOUR_MS);
        Duration fdInterval = config.millis("nova.cluster.fd-interval", 50, HOUR_MS);
        if (fdInterval.compareTo(fdTimeout) >= 0) {
            throw new ConfigException(
                    "nova.cluster.fd-interval",
                    fdInterval.toMillis() + " must be below nova.cluster.fd-timeout (" + fdTimeout.toMillis() + ")");
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
                config.bool("nova.cluster.distributed-subscriptions", true),
                fdTimeout,
                fdInterval,
                config.millis("nova.cluster.verify-suspect-timeout", 50, 60_000),
                config.optional("nova.cluster.quorum-size")
                        .map(v -> config.intValue("nova.cluster.quorum-size", 1, 1000))
                        .orElse(null));
    }

    private FailoverSettings failover() {
        String strategy = config.string("nova.failover.strategy").toLowerCase(Locale.ROOT);
        if (!strategy.equals("immediate") && !strategy.equals("delayed")) {
            throw new ConfigException("nova.failover.strategy", "'" + strategy + "' is neither immediate nor delayed");
        }
        return new FailoverSettings(
                config.bool("nova.failover.enabled", true),
                config.bool("nova.cluster.active-failover", true),
                strategy.equals("delayed"),
                config.millis("nova.failover.delay", 0, HOUR_MS),
                config.intValue("nova.failover.max-attempts", 1, 100),
                config.millis("nova.failover.attempt-timeout", 100, HOUR_MS),
                config.millis("nova.failover.transfer-timeout", 100, HOUR_MS));
    }

    /** {@code nova.exchanges.<platform>.primary-region} and {@code .failover-regions}, for every platform. */
    private Map<Platform, ExchangeRegions> exchanges() {
        Map<Platform, ExchangeRegions> exchanges = new EnumMap<>(Platform.class);
        for (Platform platform : Platform.values()) {
            String prefix = "nova.exchanges." + platform.id() + ".";
            String primary = config.optional(prefix + "primary-region")
                    .map(r -> region(prefix + "primary-region"))
                    .orElse(null);
            List<String> failover = config.list(prefix + "failover-regions");
            for (String region : failover) {
                if (!region.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
                    throw new ConfigException(prefix + "failover-regions", "'" + region + "' is not a region name");
                }
            }
            exchanges.put(platform, new ExchangeRegions(primary, failover));
        }
        return exchanges;
    }

    private static String address(String key, String value) {
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9.:_-]*") || value.equals("0.0.0.0") || value.equals("::")) {
            throw new ConfigException(key, "'" + value + "' is not a host name or an address of one interface");
        }
        return value;
    }

    /** {@code host[port],host[port]}; defaults to this node alone. */
    private List<ClusterSettings.HostPort> initialHosts(String bindAddress, int bindPort) {
        String key = "nova.cluster.initial-hosts";
        List<String> entries = config.list(key);
        if (entries.isEmpty()) {
            return List.of(new ClusterSettings.HostPort(bindAddress, bindPort));
        }
        List<ClusterSettings.HostPort> hosts = new ArrayList<>();
        for (String entry : entries) {
            Matcher matcher = HOST_PORT.matcher(entry);
            if (!matcher.matches()) {
                throw new ConfigException(key, "'" + entry + "' is not host[port]");
            }
            int port = Integer.parseInt(matcher.group(2));
            if (port < 1 || port > 65535) {
                throw new ConfigException(key, "port " + port + " of '" + entry + "' is out of range");
            }
            hosts.add(new ClusterSettings.HostPort(address(key, matcher.group(1)), port));
        }
        return List.copyOf(hosts);
    }

    private ConnectionSettings connection() {
        Duration initial = config.millis("nova.connection.backoff.initial", 0, HOUR_MS);
        Duration max = config.millis("nova.connection.backoff.max", 10, 24 * HOUR_MS);
        if (max.compareTo(initial) < 0) {
            throw new ConfigException(
                    "nova.connection.backoff.max",
                    max.toMillis() + " is below nova.connection.backoff.initial (" + initial.toMillis() + ")");
        }
        BackoffPolicy backoff = new BackoffPolicy(
                initial,
                max,
                config.doubleValue("nova.connection.backoff.multiplier", 1.0, 100.0),
                config.doubleValue("nova.connection.backoff.jitter", 0.0, 1.0),
                config.intValue("nova.connection.backoff.max-attempts", 0, Integer.MAX_VALUE));
        int heartbeat = config.intValue("nova.connection.heartbeat-interval", 1, 3600);
        Duration stale = config.millis("nova.connection.stale-timeout", 100, HOUR_MS);
        if (stale.toMillis() <= heartbeat * 1000L) {
            throw new ConfigException(
                    "nova.connection.stale-timeout",
                    stale.toMillis() + " ms must exceed "
                            + "nova.connection.heartbeat-interval (" + heartbeat + " s): a quiet but healthy session "
                            + "would be declared stale between two heartbeats");
        }
        return new ConnectionSettings(
                config.millis("nova.connection.connect-timeout", 100, HOUR_MS),
                config.millis("nova.connection.request-timeout", 100, HOUR_MS),
                heartbeat,
                stale,
                backoff,
                config.millis("nova.connection.backoff.reset-after", 0, 24 * HOUR_MS),
                config.intValue("nova.connection.max-message-size", 1024, 256 * 1024 * 1024));
    }

    private StreamSettings stream() {
        return new StreamSettings(
                config.intValue("nova.stream.buffer-size", 1, 10_000_000),
                config.millis("nova.stream.keep-alive", 100, HOUR_MS),
                config.millis("nova.stream.send-timeout", 100, HOUR_MS));
    }

    private RateLimitSettings rateLimits(ClusterSettings cluster) {
        String egress = config.optional("nova.node.egress-address")
                .map(a -> address("nova.node.egress-address", a))
                .orElse(cluster.bindAddress());
        String d = "nova.ratelimit.deribit.";
        long cost = config.longValue(d + "cost", 1, 1_000_000_000L);
        Map<String, Long> methodCosts = new java.util.LinkedHashMap<>();
        for (String entry : config.list(d + "method-costs")) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new ConfigException(d + "method-costs", "'" + entry + "' is not method:credits");
            }
            long value;
            try {
                value = Long.parseLong(entry.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(d + "method-costs", "'" + entry + "' is not method:credits");
            }
            if (value < 0 || value > 1_000_000_000L) {
                throw new ConfigException(d + "method-costs", "credits of '" + entry + "' are out of range");
            }
            methodCosts.put(entry.substring(0, colon).trim(), value);
        }
        RateLimitSettings.Deribit deribit = new RateLimitSettings.Deribit(
                config.longValue(d + "max-credits", 1, 1_000_000_000_000L),
                config.longValue(d + "refill-credits-per-second", 1, 1_000_000_000_000L),
                cost,
                Map.copyOf(methodCosts),
                config.longValue(d + "heartbeat-reserve", 0, 1_000_000_000_000L),
                config.longValue(d + "matching-engine.burst", 1, 1_000_000L),
                config.longValue(d + "matching-engine.requests-per-second", 1, 1_000_000L),
                Set.copyOf(config.list(d + "matching-engine.methods")));
        String b = "nova.ratelimit.binance.";
        RateLimitSettings.Binance binance = new RateLimitSettings.Binance(
                config.longValue(b + "messages-per-second", 1, 1_000_000L),
                config.longValue(b + "connections-per-window", 1, 1_000_000L),
                config.millis(b + "connection-window", 1000, 24 * HOUR_MS));
        double margin = config.doubleValue("nova.ratelimit.safety-margin", 0.0, 0.9);
        RateLimitSettings settings = new RateLimitSettings(
                cluster.enabled() && config.bool("nova.cluster.distributed-rate-limits", true),
                egress,
                margin,
                config.intValue("nova.ratelimit.queue-size", 1, 1_000_000),
                config.millis("nova.ratelimit.max-wait", 0, HOUR_MS),
                config.millis("nova.ratelimit.timeout", 100, HOUR_MS),
                deribit,
                binance);
        long capacity = (long) Math.floor(deribit.maxCredits() * (1 - margin));
        long heaviest =
                methodCosts.values().stream().mapToLong(Long::longValue).max().orElse(0);
        heaviest = Math.max(heaviest, cost);
        if (deribit.heartbeatReserve() + heaviest > capacity) {
            throw new ConfigException(
                    d + "heartbeat-reserve",
                    deribit.heartbeatReserve() + " credits kept for heartbeats plus the costliest request ("
                            + heaviest + ") exceed the budget (" + capacity + " = max-credits less the safety "
                            + "margin): nothing but heartbeats could ever be sent");
        }
        return settings;
    }

    private List<DeclaredClient> clients(ClientValidator validator) {
        List<DeclaredClient> declared = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String name : config.list("nova.clients")) {
            try {
                ClientValidator.checkName(name);
            } catch (NovaException e) {
                throw new ConfigException("nova.clients", e.getMessage());
            }
            if (!seen.add(name)) {
                throw new ConfigException("nova.clients", "client '" + name + "' is listed twice");
            }
            declared.add(client(validator, name));
        }
        return List.copyOf(declared);
    }

    private DeclaredClient client(ClientValidator validator, String name) {
        String prefix = "nova.client." + name + ".";
        String platformKey = prefix + "platform";
        ClientSpec spec;
        try {
            spec = validator.spec(
                    name,
                    config.string(platformKey),
                    config.optional(prefix + "url").orElse(null),
                    config.bool(prefix + "region-aware", true),
                    config.optional(prefix + "preferred-region").orElse(null),
                    config.bool(prefix + "cluster-enabled", true),
                    config.optional(prefix + "client-id").orElse(null),
                    config.optional(prefix + "client-secret").orElse(null));
        } catch (NovaException e) {
            throw new ConfigException(keyFor(prefix, e.getMessage()), e.getMessage());
        }
        List<String> channels = config.list(prefix + "channels");
        if (!channels.isEmpty()) {
            try {
                channels = validator.checkChannels(spec, channels);
            } catch (NovaException e) {
                throw new ConfigException(prefix + "channels", e.getMessage());
            }
        }
        return new DeclaredClient(spec, channels);
    }

    /** Names the key a validation message is about, so the operator knows which line to fix. */
    private static String keyFor(String prefix, String message) {
        if (message.startsWith("url")) {
            return prefix + "url";
        }
        if (message.startsWith("credentials")) {
            return prefix + "client-id";
        }
        if (message.startsWith("preferredRegion")) {
            return prefix + "preferred-region";
        }
        return prefix + "platform";
    }
}
