package dev.nova.platform;

import org.infinispan.protostream.annotations.Proto;

/**
 * A credential that must never be shown: {@link #toString()} masks it, so it can travel inside records that are
 * logged or returned without leaking. Read the value only where it is sent to the exchange.
 */
@Proto
public record Secret(String value) {

    public Secret {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("secret must not be empty");
        }
    }

    /** The clear value, for the one place that sends it to the exchange. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "****";
    }
}
