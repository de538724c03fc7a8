package dev.nova.boot;

import dev.nova.client.ClientValidator;
import dev.nova.client.DeclaredClient;
import dev.nova.cluster.ClusterKeys;
import dev.nova.cluster.ClusterSettings;
import dev.nova.cluster.DataSettings;
import dev.nova.cluster.NodeSettings;
import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.connection.ConnectionSettings;
import dev.nova.connection.ExchangeTls;
import dev.nova.ownership.DrainSettings;
import dev.nova.ownership.ExchangeRegions;
import dev.nova.ownership.FailoverSettings;
import dev.nova.ownership.LoadBalancing;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.SecretBox;
import dev.nova.ratelimit.RateLimitSettings;
import dev.nova.stream.StreamSettings;

/**
 * Reads every section of {@link NovaSettings}, each with its feature's own reader. The key names are a contract
 * with operators: see the configuration reference in README.md.
 */
public final class SettingsLoader {

    private SettingsLoader() {}

    /** Reads and validates everything; throws {@link ConfigException} naming the first bad key. */
    public static NovaSettings load(ConfigReader config) {
        PlatformCatalog platforms = PlatformCatalog.read(config);
        ClusterSettings cluster = ClusterSettings.read(config);
        ExchangeTls tls = ExchangeTls.read(config);
        SecretBox secrets = secretBox(cluster);
        return new NovaSettings(
                NodeSettings.read(config),
                cluster,
                DataSettings.read(config),
                FailoverSettings.read(config),
                DrainSettings.read(config),
                ExchangeRegions.read(config),
                LoadBalancing.read(config),
                platforms,
                ConnectionSettings.read(config),
                tls,
                StreamSettings.read(config),
                RateLimitSettings.read(config, cluster),
                secrets,
                DeclaredClient.read(config, new ClientValidator(platforms, tls.allowInsecureCredentials(), secrets)));
    }

    /**
     * Seals exchange secrets with a key derived from the cluster secret (and opens what the previous one sealed);
     * without a cluster secret no credentials can be kept.
     */
    static SecretBox secretBox(ClusterSettings cluster) {
        if (cluster.secret() == null) {
            return SecretBox.none();
        }
        return SecretBox.of(
                ClusterKeys.derive(cluster.secret(), cluster.name(), ClusterKeys.CREDENTIALS, "AES"),
                cluster.previousSecret() == null
                        ? null
                        : ClusterKeys.derive(cluster.previousSecret(), cluster.name(), ClusterKeys.CREDENTIALS, "AES"));
    }
}
