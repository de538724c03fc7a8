package dev.nova.platform;

import org.infinispan.protostream.annotations.Proto;

/**
 * An exchange secret as records hold it: sealed by {@link SecretBox} (ciphertext that only the cluster's key opens),
 * and masked by {@link #toString()} all the same, so a record that is logged or returned shows neither.
 */
@Proto
public record Secret(String value) {

    public Secret {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("secret must not be empty");
        }
    }

    @Override
    public String toString() {
        return "****";
    }
}
