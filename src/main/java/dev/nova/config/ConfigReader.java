package dev.nova.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed reads over a key lookup. Every failure is a {@link ConfigException} that names the key, whatever the
 * source of the value (properties file, system property, environment variable).
 */
final class ConfigReader {

    private final Function<String, Optional<String>> lookup;

    ConfigReader(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    Optional<String> optional(String key) {
        return lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    String string(String key) {
        return optional(key).orElseThrow(() -> new ConfigException(key, "a value is required"));
    }

    long longValue(String key, long min, long max) {
        String raw = string(key);
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "'" + raw + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new ConfigException(key, value + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }

    int intValue(String key, int min, int max) {
        return (int) longValue(key, min, max);
    }

    double doubleValue(String key, double min, double max) {
        String raw = string(key);
        double value;
        try {
            value = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "'" + raw + "' is not a number");
        }
        if (!(value >= min && value <= max)) {
            throw new ConfigException(key, raw + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }

    /** A duration in milliseconds. */
    Duration millis(String key, long min, long max) {
        return Duration.ofMillis(longValue(key, min, max));
    }

    boolean bool(String key, boolean fallback) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return fallback;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key, "'" + raw.get() + "' is not true or false");
        };
    }

    /** A comma-separated list; blank entries are dropped. */
    List<String> list(String key) {
        return optional(key)
                .map(v -> Arrays.stream(v.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList())
                .orElse(List.of());
    }
}
