package dev.nova.cluster;

import java.util.Locale;
import java.util.Optional;

/** What a side of the cluster that lost members without a graceful leave does ({@code nova.cluster.partition-handling}). */
public enum PartitionHandling {
    /** A side without quorum (a majority of the reference membership, or {@code quorum-size}) pauses. */
    PAUSE_MINORITY,
    /** Every side pauses until each lost member is back in the view or an operator forgot it. */
    PAUSE_ALL,
    /** Nothing pauses: both sides of a split run their clients. Unsafe: the exchange sees two sessions of a client. */
    IGNORE;

    /** The configuration value: {@code pause_minority}, {@code pause_all} or {@code ignore}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<PartitionHandling> of(String value) {
        for (PartitionHandling handling : values()) {
            if (handling.value().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(handling);
            }
        }
        return Optional.empty();
    }
}
