package dev.nova.config;

/**
 * A configured value that must never be shown (the cluster secret): {@link #toString()} masks it, so settings that
 * hold one can be logged or returned whole. Read the value only where a key is derived from it.
 */
public record SecretSetting(String value) {

    public SecretSetting {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a secret setting must not be empty");
        }
    }

    /** The clear value, for the one place that derives a key from it. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "****";
    }
}
