package dev.nova.cluster;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.Message;
import org.jgroups.annotations.ManagedAttribute;
import org.jgroups.annotations.Property;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.EncryptHeader;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.util.MessageBatch;

/**
 * JGroups' SYM_ENCRYPT with a key derived from the cluster secret ({@link ClusterKeys}), ChaCha20-Poly1305 (an
 * authenticated cipher: a message changed on the way, or made without the key, fails to decrypt) and a second key
 * accepted during a rotation. It sits right above the transport with SERIALIZE above it, so every message a member
 * sends (discovery, merges, failure detection, views, cache commands, the bus) travels as one encrypted and
 * authenticated payload, headers included.
 *
 * <p>The keys never pass through the stack's XML (Infinispan logs it when a channel fails to build): {@link #hand}
 * leaves them under a random reference, the XML names the reference, and {@link #init()} takes them out.
 *
 * <p>Messages not made with this cluster's key are dropped before SYM_ENCRYPT sees them (it logs an error per message,
 * and decrypts a message without payload not at all): no encryption header, no payload, a key version that is neither
 * the current nor the previous key's, or a payload that fails authentication. NOVA-1030 says so once a minute per
 * sender. Why not AES-GCM: SYM_ENCRYPT passes the nonce as an {@code IvParameterSpec}, which GCM refuses.
 */
public class ClusterCipher extends SYM_ENCRYPT {

    /** The cipher: authenticated encryption that JGroups can drive with a 12-byte nonce. */
    static final String ALGORITHM = "ChaCha20-Poly1305";

    private static final int NONCE_BYTES = 12;
    private static final long NOTE_EVERY_NS = TimeUnit.MINUTES.toNanos(1);
    private static final long NOTE_ANY_NS = TimeUnit.SECONDS.toNanos(1);

    /** Logs under the cluster runtime's name, where operators find the other NOVA-10xx messages. */
    private static final Logger LOG = Logger.getLogger(ClusterRuntime.class.getName());

    /** Keys handed to a stack that is being built, until its cipher takes them. */
    private static final Handover<Keys> HANDED = new Handover<>();

    /** The keys of one node: the one it sends with, and one it also accepts during a rotation (or null). */
    public record Keys(SecretKey current, SecretKey previous) {

        @Override
        public String toString() {
            return previous == null ? "Keys[current]" : "Keys[current, previous]";
        }
    }

    @Property(
            description = "The reference under which Nova handed this stack its keys (never a key)",
            exposeAsManagedAttribute = false)
    protected String key_ref;

    @Property(
            description = "The setting the keys were derived from, for operators (the bridge's is another)",
            exposeAsManagedAttribute = false)
    protected String secret_setting = "nova.cluster.secret";

    private volatile Key previousKey;
    private volatile byte[] previousVersion;
    private final LongAdder refused = new LongAdder();
    private final Map<Address, Long> notedAt = new ConcurrentHashMap<>();
    private final AtomicLong lastNoteAt = new AtomicLong(System.nanoTime() - NOTE_ANY_NS);

    public ClusterCipher() {
        // SYM_ENCRYPT's protocol id, so that its header is the same on the wire: a subclass has none registered.
        id = ClassConfigurator.getProtocolId(SYM_ENCRYPT.class);
        sym_algorithm = ALGORITHM;
        sym_iv_length = NONCE_BYTES;
    }

    /** Leaves the keys for the stack about to be built; its XML names the reference returned. */
    static String hand(Keys keys) {
        return HANDED.hand(keys);
    }

    /** Drops keys no stack took (the channel failed to build). */
    static void withdraw(String reference) {
        HANDED.withdraw(reference);
    }

    @Override
    public void init() throws Exception {
        Keys keys = HANDED.take(key_ref);
        if (keys == null) {
            throw new IllegalStateException("NOVA-1031 the cluster cipher was handed no key: the stack must be "
                    + "built by the node that derived it from nova.cluster.secret");
        }
        secret_key = keys.current();
        if (keys.previous() != null) {
            previousKey = keys.previous();
            previousVersion = version(keys.previous());
        }
        // SYM_ENCRYPT reads no keystore when the key is set; Encrypt builds its cipher pools for it.
        super.init();
    }

    @ManagedAttribute(description = "Messages dropped because they were not made with this cluster's key")
    public long refusedMessages() {
        return refused.sum();
    }

    /** Whether a message made with the previous secret is accepted (during a rotation). */
    public boolean acceptsPrevious() {
        return previousKey != null;
    }

    @Override
    public Object up(Message msg) {
        return ours(msg) ? super.up(msg) : null;
    }

    @Override
    public void up(MessageBatch batch) {
        batch.removeIf(msg -> !ours(msg), false);
        if (!batch.isEmpty()) {
            super.up(batch);
        }
    }

    @Override
    protected Message decrypt(Cipher cipher, Message msg) throws Exception {
        EncryptHeader header = msg.getHeader(id);
        try {
            if (Arrays.equals(header.version(), sym_version)) {
                return _decrypt(cipher, secret_key, msg, header);
            }
            if (previousKey == null || !Arrays.equals(header.version(), previousVersion)) {
                refuse(msg, "is encrypted with another secret (" + secret_setting + " differs on that node)");
                return null;
            }
            // Not SYM_ENCRYPT's rule (an old key only from a current member): a restarted member that sends with the
            // other key of a rotation is not a member yet when its discovery and join requests arrive.
            return _decrypt(createCipher(sym_algorithm), previousKey, msg, header);
        } catch (GeneralSecurityException e) {
            refuse(msg, "failed authentication (changed on the way, or not made with this cluster's secret)");
            return null;
        }
    }

    /** Whether the message was encrypted with one of this node's keys; notes why not. */
    private boolean ours(Message msg) {
        EncryptHeader header = msg.getHeader(id);
        if (header == null) {
            refuse(msg, "is not encrypted (that node has no " + secret_setting + ")");
            return false;
        }
        if (!msg.hasPayload()) {
            refuse(msg, "carries no encrypted payload");
            return false;
        }
        byte[] version = header.version();
        if (Arrays.equals(version, sym_version)
                || (previousVersion != null && Arrays.equals(version, previousVersion))) {
            return true;
        }
        refuse(msg, "is encrypted with another secret (" + secret_setting + " differs on that node)");
        return false;
    }

    private void refuse(Message msg, String why) {
        refused.increment();
        Address sender = msg.src();
        long now = System.nanoTime();
        Long last = sender == null ? null : notedAt.get(sender);
        if (last != null && now - last < NOTE_EVERY_NS) {
            return;
        }
        // The sender is read from the wire, unauthenticated: whoever floods with made-up senders gets one line a
        // second, not one per message.
        long previous = lastNoteAt.get();
        if (now - previous < NOTE_ANY_NS || !lastNoteAt.compareAndSet(previous, now)) {
            return;
        }
        if (sender != null) {
            if (notedAt.size() > 1_000) {
                notedAt.clear();
            }
            notedAt.put(sender, now);
        }
        Object physical = sender == null ? null : down_prot.down(new Event(Event.GET_PHYSICAL_ADDRESS, sender));
        // A member's name, or the JGroups address (a UUID) of a node this one never learnt the name of.
        String name = sender == null ? "an unknown sender" : sender.toString();
        String where = physical == null ? "" : " at " + physical;
        LOG.warning(() -> "NOVA-1030 dropped a cluster message claiming to come from " + name + where + ": it " + why
                + "; a node joins only with the same " + secret_setting + " (" + refused.sum()
                + " refused so far, noted once a minute per sender and at most once a second)");
    }

    private static byte[] version(Key key) throws NoSuchAlgorithmException {
        // As Encrypt versions its key: an MD5 digest of the key, sent in clear with each message.
        return MessageDigest.getInstance("MD5").digest(key.getEncoded());
    }
}
