package dev.nova.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * Reads the node's settings from MicroProfile Config once, at first use during startup, and offers them to the
 * other beans. A bad value stops the application with a {@link ConfigException} naming the key.
 */
@ApplicationScoped
public class NovaConfig {

    private final NovaSettings settings;

    @Inject
    public NovaConfig(Config config) {
        this.settings = new SettingsLoader(key -> config.getOptionalValue(key, String.class)).load();
    }

    /** Required by CDI for the client proxy; never used to read settings. */
    protected NovaConfig() {
        this.settings = null;
    }

    /** The settings, for injection; a record cannot be proxied, so it is produced as a dependent bean. */
    @Produces
    public NovaSettings settings() {
        return settings;
    }
}
