package dev.nova.config;

/** A configuration value is missing or invalid; the message names the key and says what is expected. */
public class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String problem) {
        super("Invalid configuration " + key + ": " + problem);
        this.key = key;
    }

    /** The offending key, e.g. {@code nova.connection.backoff.initial}. */
    public String key() {
        return key;
    }
}
