package dev.nova.connection;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.config.KeyStores;
import dev.nova.config.SecretSetting;

/**
 * How sessions to the exchanges are secured (the {@code nova.connection.truststore*} and
 * {@code allow-insecure-credentials} keys). {@code wss://} sessions trust the JDK's certificate authorities, or only
 * the certificates of {@code truststore} when it is set. Credentials travel only over {@code wss://}, over
 * {@code ws://} to a loopback address (the simulator), or where {@code allowInsecureCredentials} says so.
 *
 * @param truststore a keystore file of trusted certificates, or null for the JDK's
 * @param truststorePassword its password, or null
 * @param truststoreType its type (PKCS12 by default)
 * @param allowInsecureCredentials true sends credentials over plain {@code ws://} to any host
 */
public record ExchangeTls(
        String truststore, SecretSetting truststorePassword, String truststoreType, boolean allowInsecureCredentials) {

    /** Reads the keys; a truststore that cannot be opened is refused at start, naming its key. */
    public static ExchangeTls read(ConfigReader config) {
        String truststore = config.optional("nova.connection.truststore").orElse(null);
        SecretSetting password =
                config.secret("nova.connection.truststore-password", 1).orElse(null);
        String type = config.optional("nova.connection.truststore-type").orElse("PKCS12");
        if (truststore != null) {
            load(truststore, password, type);
        } else if (password != null) {
            throw new ConfigException(
                    "nova.connection.truststore-password", "is set but nova.connection.truststore is not");
        }
        return new ExchangeTls(
                truststore, password, type, config.bool("nova.connection.allow-insecure-credentials", false));
    }

    private static void load(String path, SecretSetting password, String type) {
        try {
            if (KeyStores.load("nova.connection.truststore", path, password, type)
                            .size()
                    == 0) {
                throw new ConfigException("nova.connection.truststore", path + " holds no certificate");
            }
        } catch (java.security.KeyStoreException e) {
            throw new ConfigException("nova.connection.truststore", path + " cannot be read: " + e.getMessage());
        }
    }

    /** No truststore of its own (the JDK's) and no insecure credentials: the defaults. */
    public static ExchangeTls defaults() {
        return new ExchangeTls(null, null, "PKCS12", false);
    }
}
