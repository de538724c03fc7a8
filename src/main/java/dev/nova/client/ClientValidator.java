package dev.nova.client;

import dev.nova.NovaException;
import dev.nova.model.ClientSpec;
import dev.nova.model.Names;
import dev.nova.platform.Credentials;
import dev.nova.platform.Platform;
import dev.nova.platform.PlatformAdapter;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.SecretBox;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks client declarations and channel lists, whether they come from the REST API or from configuration, and
 * turns them into specs. Every problem is a {@link NovaException} of kind {@code INVALID} whose message says what
 * is wrong; nothing is changed by a failed check.
 */
public final class ClientValidator {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final PlatformCatalog catalog;
    private final boolean allowInsecureCredentials;
    private final SecretBox secrets;

    /** Credentials only over {@code wss://} or to a loopback address, sealed by {@code secrets}. */
    public ClientValidator(PlatformCatalog catalog, SecretBox secrets) {
        this(catalog, false, secrets);
    }

    /**
     * @param allowInsecureCredentials true lets credentials travel over plain {@code ws://} to any host
     * @param secrets seals the exchange secret of a spec, which never holds it in clear
     */
    public ClientValidator(PlatformCatalog catalog, boolean allowInsecureCredentials, SecretBox secrets) {
        this.catalog = catalog;
        this.allowInsecureCredentials = allowInsecureCredentials;
        this.secrets = secrets;
    }

    /** Validates a client name. */
    public static String checkName(String name) {
        return Names.checkName(name);
    }

    /**
     * Builds a spec from declared values; nullable arguments take their defaults (the platform's url, region
     * aware, cluster enabled, no preferred region, no credentials).
     */
    public ClientSpec spec(
            String name,
            String platformId,
            String url,
            Boolean regionAware,
            String preferredRegion,
            Boolean clusterEnabled,
            String clientId,
            String clientSecret) {
        checkName(name);
        if (platformId == null || platformId.isBlank()) {
            throw NovaException.invalid("platform is required (one of " + Platform.ids() + ")");
        }
        Platform platform = Platform.fromId(platformId)
                .orElseThrow(() -> NovaException.invalid(
                        "platform '" + platformId + "' is unknown (one of " + Platform.ids() + ")"));
        URI endpoint = url == null || url.isBlank() ? catalog.defaultUrl(platform) : parseUrl(url);
        catalog.adapter(platform).checkUrl(endpoint).ifPresent(problem -> {
            throw NovaException.invalid(problem);
        });
        if (preferredRegion != null && !preferredRegion.isBlank() && !Names.isRegion(preferredRegion)) {
            throw NovaException.invalid("preferredRegion '" + preferredRegion + "' is invalid");
        }
        Credentials credentials = credentials(clientId, clientSecret);
        if (credentials != null && !allowInsecureCredentials && insecure(endpoint)) {
            throw NovaException.invalid("credentials travel only over wss:// (or ws:// to this machine's loopback "
                    + "address): " + endpoint + " would send them in clear; use the exchange's wss:// address, or set "
                    + "nova.connection.allow-insecure-credentials=true to allow it");
        }
        return new ClientSpec(
                name,
                platform,
                endpoint.toString(),
                regionAware == null || regionAware,
                preferredRegion == null || preferredRegion.isBlank() ? null : preferredRegion,
                clusterEnabled == null || clusterEnabled,
                credentials);
    }

    /** Plain {@code ws://} to a host that is not a loopback address (names other than localhost are not resolved). */
    static boolean insecure(URI endpoint) {
        if (!"ws".equalsIgnoreCase(endpoint.getScheme())) {
            return false;
        }
        String host = endpoint.getHost();
        if (host.equalsIgnoreCase("localhost")) {
            return false;
        }
        if (IPV4.matcher(host).matches() || host.startsWith("[")) {
            try {
                return !InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return true;
            }
        }
        return true;
    }

    private static URI parseUrl(String url) {
        try {
            URI uri = new URI(url.trim());
            if (uri.getHost() == null) {
                throw NovaException.invalid("url '" + url + "' has no host");
            }
            if (uri.getUserInfo() != null || uri.getQuery() != null) {
                // Credentials belong in credentials, where they are masked; a url is shown and logged.
                throw NovaException.invalid(
                        "url must not carry user info or a query; give API keys as " + "credentials");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw NovaException.invalid("url '" + url + "' is not a valid URI");
        }
    }

    private Credentials credentials(String clientId, String clientSecret) {
        boolean hasId = clientId != null && !clientId.isBlank();
        boolean hasSecret = clientSecret != null && !clientSecret.isEmpty();
        if (!hasId && !hasSecret) {
            return null;
        }
        if (!hasId || !hasSecret) {
            throw NovaException.invalid("credentials need both clientId and clientSecret");
        }
        return secrets.seal(clientId.trim(), clientSecret);
    }

    /**
     * Checks a channel list against the client's platform: non-empty, each name valid, private channels only
     * with credentials. Returns the channels without duplicates, in order.
     */
    public List<String> checkChannels(ClientSpec spec, List<String> channels) {
        if (channels == null || channels.isEmpty()) {
            throw NovaException.invalid("channels must be a non-empty list");
        }
        PlatformAdapter adapter = catalog.adapter(spec.platform());
        Set<String> unique = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (String channel : channels) {
            if (channel == null) {
                problems.add("a channel is null");
                continue;
            }
            adapter.checkChannel(channel).ifPresentOrElse(problems::add, () -> unique.add(channel));
            if (adapter.isPrivate(channel) && spec.credentials() == null) {
                problems.add(
                        "'" + channel + "' is a private channel and client '" + spec.name() + "' has no credentials");
            }
        }
        if (!problems.isEmpty()) {
            throw NovaException.invalid(String.join("; ", problems));
        }
        return List.copyOf(unique);
    }
}
