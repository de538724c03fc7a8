package dev.nova.boot;

import dev.nova.cluster.ClusterSettings;
import dev.nova.cluster.DataSettings;
import dev.nova.cluster.NodeSettings;
import dev.nova.cluster.SealingKey;
import dev.nova.config.Clocks;
import dev.nova.config.ConfigReader;
import dev.nova.connection.ConnectionSettings;
import dev.nova.connection.ExchangeTls;
import dev.nova.ownership.DrainSettings;
import dev.nova.ownership.FailoverSettings;
import dev.nova.ownership.LoadBalancing;
import dev.nova.ownership.Placement;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.SecretBox;
import dev.nova.ratelimit.RateLimitSettings;
import dev.nova.stream.StreamSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Clock;
import org.eclipse.microprofile.config.Config;

/**
 * Reads the node's settings from MicroProfile Config once, at first use during startup, and offers each feature its
 * own section for injection. A bad value stops the application with a {@code ConfigException} naming the key.
 * Records cannot be proxied, so each section is produced as a dependent bean.
 */
@ApplicationScoped
public class NovaConfig {

    private final NovaSettings settings;
    private final Clock clock = Clocks.wall();

    @Inject
    public NovaConfig(Config config) {
        this.settings = SettingsLoader.load(new ConfigReader(key -> config.getOptionalValue(key, String.class)));
    }

    /** Required by CDI for the client proxy; never used to read settings. */
    protected NovaConfig() {
        this.settings = null;
    }

    /** Every section, for the startup beans of this package. */
    NovaSettings settings() {
        return settings;
    }

    @Produces
    public NodeSettings node() {
        return settings.node();
    }

    @Produces
    public ClusterSettings cluster() {
        return settings.cluster();
    }

    @Produces
    public DataSettings data() {
        return settings.data();
    }

    @Produces
    public DrainSettings drain() {
        return settings.drain();
    }

    @Produces
    public FailoverSettings failover() {
        return settings.failover();
    }

    @Produces
    public Placement placement() {
        return new Placement(settings.exchanges(), settings.loadBalancing().markets(), clock);
    }

    @Produces
    public LoadBalancing loadBalancing() {
        return settings.loadBalancing();
    }

    @Produces
    public PlatformCatalog platforms() {
        return settings.platforms();
    }

    @Produces
    public ConnectionSettings connection() {
        return settings.connection();
    }

    @Produces
    public ExchangeTls exchangeTls() {
        return settings.exchangeTls();
    }

    @Produces
    public SecretBox secrets() {
        return settings.secrets();
    }

    @Produces
    public SealingKey sealingKey() {
        return new SealingKey(settings.secrets().currentKeyId());
    }

    @Produces
    public StreamSettings stream() {
        return settings.stream();
    }

    @Produces
    public RateLimitSettings rateLimits() {
        return settings.rateLimits();
    }
}
