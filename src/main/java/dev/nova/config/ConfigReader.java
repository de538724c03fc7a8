package dev.nova.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Typed reads over a key lookup (MicroProfile Config in the server, a map in unit tests). Every failure is a
 * {@link ConfigException} that names the key, whatever the source of the value (properties file, system property,
 * environment variable). Each feature reads its own section with it, next to the record that holds the section.
 */
public final class ConfigReader {

    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:_-]*");

    private final Function<String, Optional<String>> lookup;

    public ConfigReader(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    public Optional<String> optional(String key) {
        return lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String string(String key) {
        return optional(key).orElseThrow(() -> new ConfigException(key, "a value is required"));
    }

    public long longValue(String key, long min, long max) {
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

    public int intValue(String key, int min, int max) {
        return (int) longValue(key, min, max);
    }

    public double doubleValue(String key, double min, double max) {
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
    public Duration millis(String key, long min, long max) {
        return Duration.ofMillis(longValue(key, min, max));
    }

    public boolean bool(String key, boolean fallback) {
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

    /**
     * A switch with two names, {@code key} and an older {@code alias} kept for operators' existing settings: either
     * may be set; both set to different values is an error naming both.
     */
    public boolean bool(String key, String alias, boolean fallback) {
        Optional<String> primary = optional(key);
        Optional<String> older = optional(alias);
        if (primary.isPresent() && older.isPresent() && bool(key, fallback) != bool(alias, fallback)) {
            throw new ConfigException(
                    key,
                    "'" + primary.get() + "' contradicts " + alias + "='" + older.get()
                            + "' (the same switch under its older name): set one of them");
        }
        return primary.isPresent() ? bool(key, fallback) : bool(alias, fallback);
    }

    /** A comma-separated list; blank entries are dropped. */
    public List<String> list(String key) {
        return optional(key)
                .map(v -> Arrays.stream(v.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList())
                .orElse(List.of());
    }

    /** A value that must match {@code pattern}; {@code what} says what it should be, e.g. "a region name". */
    public String matching(String key, Pattern pattern, String what) {
        String value = string(key);
        if (!pattern.matcher(value).matches()) {
            throw new ConfigException(key, "'" + value + "' is not " + what);
        }
        return value;
    }

    /**
     * A secret of at least {@code minLength} characters, or empty when unset. The failure names the key and the rule,
     * never the value.
     */
    public Optional<SecretSetting> secret(String key, int minLength) {
        Optional<String> value = lookup.apply(key).filter(v -> !v.isBlank());
        if (value.isPresent() && value.get().length() < minLength) {
            throw new ConfigException(
                    key, "the secret is " + value.get().length() + " characters long, it needs at least " + minLength);
        }
        return value.map(SecretSetting::new);
    }

    /** A host name or the address of one interface (never a wildcard: a node must know which interface it uses). */
    public String address(String key) {
        return address(key, string(key));
    }

    /** Checks a host name or address that was given as part of the value of {@code key}. */
    public static String address(String key, String value) {
        if (!ADDRESS.matcher(value).matches() || value.equals("0.0.0.0") || value.equals("::")) {
            throw new ConfigException(key, "'" + value + "' is not a host name or an address of one interface");
        }
        return value;
    }
}
