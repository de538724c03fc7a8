package dev.nova.platform;

import dev.nova.NovaException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals exchange secrets for the records, and opens them for the one place that sends them to the exchange. A
 * sealed secret reads {@code nova-sealed:v1:<key id>:<base64 of nonce and AES-256-GCM ciphertext>}; the client id is
 * its associated data, so a sealed secret moved to another account does not open. The keys come from the cluster
 * secret (every member derives the same ones), so whichever node owns a client can open its secret, and a record as
 * replicated, merged or stored holds only ciphertext. During a rotation the previous secret's key still opens what it
 * sealed, and {@link #reseal} moves those secrets to the current key.
 */
public final class SecretBox {

    private static final String PREFIX = "nova-sealed:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How a sealed secret stands with this node's keys. */
    public enum Seal {
        /** Sealed with the current key. */
        CURRENT,
        /** Sealed with the previous secret's key: readable now, not after the previous secret is dropped. */
        PREVIOUS,
        /** Sealed with a key this node does not hold, or not a sealed secret at all. */
        UNREADABLE
    }

    private record Key(String id, SecretKey key) {}

    private final Key current;
    private final Key previous;

    private SecretBox(SecretKey current, SecretKey previous) {
        this.current = current == null ? null : new Key(idOf(current), current);
        this.previous = previous == null ? null : new Key(idOf(previous), previous);
    }

    /** A box with no key, on a node without a cluster secret: it seals nothing and opens nothing. */
    public static SecretBox none() {
        return new SecretBox(null, null);
    }

    /** A box that seals with {@code current} (256 bits) and also opens what {@code previous} sealed (may be null). */
    public static SecretBox of(SecretKey current, SecretKey previous) {
        return new SecretBox(Objects.requireNonNull(current, "current"), previous);
    }

    /** The public name of the key this node seals with ({@code ""} without a cluster secret). */
    public String currentKeyId() {
        return current == null ? "" : current.id();
    }

    /** Whether this node can seal credentials (it has a cluster secret). */
    public boolean canSeal() {
        return current != null;
    }

    /**
     * Credentials for a record: the secret sealed with the current key.
     *
     * @throws NovaException INVALID when this node has no cluster secret to derive the key from
     */
    public Credentials seal(String clientId, String clearSecret) {
        if (current == null) {
            throw NovaException.invalid("credentials are kept sealed with a key derived from the cluster secret, and "
                    + "this node has none: set nova.cluster.secret (NOVA_CLUSTER_SECRET, at least 16 characters)");
        }
        return new Credentials(clientId, new Secret(seal(current, clientId, clearSecret)));
    }

    /** The clear secret, for the one place that sends it to the exchange; empty when this node cannot open it. */
    public Optional<String> open(Credentials credentials) {
        return Optional.ofNullable(open(credentials.clientId(), credentials.clientSecret()));
    }

    /** How {@code credentials} stand with this node's keys. */
    public Seal state(Credentials credentials) {
        String id = keyId(credentials.clientSecret());
        if (current != null && current.id().equals(id) && open(credentials).isPresent()) {
            return Seal.CURRENT;
        }
        if (previous != null && previous.id().equals(id) && open(credentials).isPresent()) {
            return Seal.PREVIOUS;
        }
        return Seal.UNREADABLE;
    }

    /** Credentials sealed with the previous key, sealed again with the current one; others as they are. */
    public Credentials reseal(Credentials credentials) {
        if (state(credentials) != Seal.PREVIOUS) {
            return credentials;
        }
        return seal(credentials.clientId(), open(credentials).orElseThrow());
    }

    /**
     * Whether two sealed credentials hold the same account and secret (each sealing draws a new nonce, so equal
     * secrets do not have equal sealed forms). Credentials this node cannot open are the same only as themselves.
     */
    public boolean same(Credentials a, Credentials b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.equals(b)) {
            return true;
        }
        if (!a.clientId().equals(b.clientId())) {
            return false;
        }
        Optional<String> first = open(a);
        Optional<String> second = open(b);
        return first.isPresent()
                && second.isPresent()
                && MessageDigest.isEqual(
                        first.get().getBytes(StandardCharsets.UTF_8),
                        second.get().getBytes(StandardCharsets.UTF_8));
    }

    private static String seal(Key key, String clientId, String clear) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(clientId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(clear.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                    .put(nonce)
                    .put(sealed)
                    .array();
            return PREFIX + key.id() + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("NOVA-1032 a secret could not be sealed: " + e, e);
        }
    }

    private String open(String clientId, Secret secret) {
        String id = keyId(secret);
        Key key = current != null && current.id().equals(id)
                ? current
                : previous != null && previous.id().equals(id) ? previous : null;
        if (key == null) {
            return null;
        }
        try {
            byte[] in = Base64.getDecoder().decode(secret.value().substring(PREFIX.length() + id.length() + 1));
            if (in.length <= NONCE_BYTES) {
                return null;
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(clientId.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The key id a sealed secret names, or the empty string when it is not one. */
    private static String keyId(Secret secret) {
        String value = secret.value();
        if (!value.startsWith(PREFIX)) {
            return "";
        }
        int end = value.indexOf(':', PREFIX.length());
        return end < 0 ? "" : value.substring(PREFIX.length(), end);
    }

    /**
     * A short public name for a key: the first 8 bytes of SHA-256 over a label and the key, which tells the keys of
     * two secrets apart and says nothing usable about either.
     */
    private static String idOf(SecretKey key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("nova sealed secret key id".getBytes(StandardCharsets.US_ASCII));
            byte[] hash = digest.digest(key.getEncoded());
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
