package dev.nova.cluster;

import dev.nova.config.SecretSetting;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.spec.KeySpec;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys derived from the cluster secret: PBKDF2 with HMAC-SHA256, salted with what the key is for and the cluster's
 * name, so one secret gives unrelated keys to each purpose and to clusters that share it by mistake. The iteration
 * count follows OWASP's advice for PBKDF2-HMAC-SHA256 (210,000 when written): about 0.1 to 0.3 s per key at start,
 * and as much per guess to whoever tries secrets against captured traffic.
 */
public final class ClusterKeys {

    /** The purpose of the key that encrypts and authenticates the messages between members. */
    public static final String MESSAGES = "messages";

    private static final int ITERATIONS = 210_000;
    private static final int KEY_BITS = 256;

    private ClusterKeys() {}

    /** The purpose of the key that seals exchange secrets inside the records. */
    public static final String CREDENTIALS = "credentials";

    /** The message keys derived from the cluster's secrets (the previous one during a rotation). */
    static ClusterCipher.Keys messageKeys(ClusterSettings settings) {
        SecretKey current = derive(settings.secret(), settings.name(), MESSAGES);
        SecretKey previous =
                settings.previousSecret() == null ? null : derive(settings.previousSecret(), settings.name(), MESSAGES);
        return new ClusterCipher.Keys(current, previous);
    }

    /** A 256-bit ChaCha20 key for {@code purpose} in {@code cluster}. */
    public static SecretKey derive(SecretSetting secret, String cluster, String purpose) {
        return derive(secret, cluster, purpose, "ChaCha20");
    }

    /** A 256-bit key for {@code purpose} in {@code cluster}, for the cipher {@code algorithm} (ChaCha20, AES). */
    public static SecretKey derive(SecretSetting secret, String cluster, String purpose, String algorithm) {
        char[] password = secret.reveal().toCharArray();
        byte[] salt = ("nova/" + purpose + "/" + cluster).getBytes(StandardCharsets.UTF_8);
        KeySpec spec = new PBEKeySpec(password, salt, ITERATIONS, KEY_BITS);
        try {
            byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
            try {
                return new SecretKeySpec(key, algorithm);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("NOVA-1031 no key could be derived from the cluster secret: " + e, e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }
}
