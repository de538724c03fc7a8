package dev.nova.platform;

import java.security.SecureRandom;
import javax.crypto.spec.SecretKeySpec;

/** Sealing for unit tests: a box with a random key (what a cluster secret would give). */
public final class TestSecrets {

    private TestSecrets() {}

    /** A box with a fresh random 256-bit key. */
    public static SecretBox box() {
        return SecretBox.of(key(), null);
    }

    /** A fresh random 256-bit AES key. */
    public static SecretKeySpec key() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return new SecretKeySpec(raw, "AES");
    }
}
