package dev.nova.cluster;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where this node keeps the cluster's records on disk ({@code nova.cluster.data-dir}): the clients, their
 * subscriptions and the tombstones of deleted ones, each cache in a soft-index file store of its own (Infinispan's),
 * and this node's last reference membership ({@link ClusterRuntime}). Liberty's {@code server.xml} points it inside the
 * server's output directory; {@code none} keeps everything in memory only (a full-cluster restart then loses it).
 *
 * @param directory the data directory, absolute; null when nothing is kept on disk
 */
public record DataSettings(Path directory) {

    public static final String KEY = "nova.cluster.data-dir";

    /** Nothing on disk (unit tests, or {@code nova.cluster.data-dir=none}). */
    public static DataSettings none() {
        return new DataSettings(null);
    }

    /** Reads {@code nova.cluster.data-dir}; a value that is no path is a {@link ConfigException} naming the key. */
    public static DataSettings read(ConfigReader config) {
        String value = config.optional(KEY).map(String::trim).orElse("");
        if (value.isEmpty() || value.toLowerCase(Locale.ROOT).equals("none")) {
            return none();
        }
        try {
            return new DataSettings(Path.of(value).toAbsolutePath().normalize());
        } catch (InvalidPathException e) {
            throw new ConfigException(KEY, "'" + value + "' is not a path: " + e.getMessage());
        }
    }

    /** Whether the records are kept on disk. */
    public boolean persistent() {
        return directory != null;
    }

    /** The directory of one cache's store (its data and index files below it). */
    Path of(String cache) {
        return directory.resolve(cache.replace('@', '-'));
    }
}
