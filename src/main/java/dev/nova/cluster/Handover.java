package dev.nova.cluster;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Secrets handed to a JGroups stack by reference: the stack's XML names a random reference, never the secret
 * (Infinispan logs that XML when a channel fails to build), and the protocol takes the secret once in {@code init}.
 *
 * @param <T> what is handed (keys, a TLS context)
 */
final class Handover<T> {

    private final Map<String, T> handed = new ConcurrentHashMap<>();

    /** Leaves {@code secret} for the stack about to be built; its XML names the reference returned. */
    String hand(T secret) {
        String reference = UUID.randomUUID().toString();
        handed.put(reference, secret);
        return reference;
    }

    /** What was left under {@code reference}, once; null when nothing was (or it was taken). */
    T take(String reference) {
        return reference == null ? null : handed.remove(reference);
    }

    /** Drops what no stack took (the channel failed to build). */
    void withdraw(String reference) {
        if (reference != null) {
            handed.remove(reference);
        }
    }
}
