package dev.nova.cluster;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.config.KeyStores;
import dev.nova.config.SecretSetting;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The cluster's PKI, for operators who have one instead of a shared secret (the {@code nova.cluster.tls.*} keys):
 * each node holds its own key and certificate ({@code keystore}) and trusts the authorities of {@code truststore}.
 * Members then talk over TLS 1.3 with client authentication required both ways ({@link TlsTransport}): a node whose
 * certificate no trusted authority signed completes no handshake, so it sends and reads nothing of the cluster. Any
 * certificate the truststore vouches for is a member: give the cluster an authority of its own.
 *
 * @param keystore this node's key and certificate (chain)
 * @param keystorePassword the keystore's password (also the key's)
 * @param keystoreType PKCS12 by default
 * @param truststore the certificates of the authorities that sign members
 * @param truststorePassword its password, or null
 * @param truststoreType PKCS12 by default
 */
public record ClusterTls(
        String keystore,
        SecretSetting keystorePassword,
        String keystoreType,
        String truststore,
        SecretSetting truststorePassword,
        String truststoreType) {

    private static final Logger LOG = Logger.getLogger(ClusterRuntime.class.getName());
    private static final long LOG_EVERY_MS = 60_000;
    private static final int MAX_NOTED = 256;
    private static final LongAdder REFUSED = new LongAdder();
    private static final Map<String, Long> LAST_LOGGED = new ConcurrentHashMap<>();

    /** The keys, or null when neither store is set; one without the other, or a store that does not open, is refused. */
    public static ClusterTls read(ConfigReader config) {
        String keystore = config.optional("nova.cluster.tls.keystore").orElse(null);
        String truststore = config.optional("nova.cluster.tls.truststore").orElse(null);
        if (keystore == null && truststore == null) {
            return null;
        }
        if (keystore == null || truststore == null) {
            String missing = keystore == null ? "nova.cluster.tls.keystore" : "nova.cluster.tls.truststore";
            throw new ConfigException(
                    missing,
                    "the cluster's TLS needs both this node's keystore and the truststore of the authorities that "
                            + "sign members");
        }
        SecretSetting keystorePassword = config.secret("nova.cluster.tls.keystore-password", 1)
                .orElseThrow(() -> new ConfigException(
                        "nova.cluster.tls.keystore-password", "is required with nova.cluster.tls.keystore"));
        ClusterTls tls = new ClusterTls(
                keystore,
                keystorePassword,
                config.optional("nova.cluster.tls.keystore-type").orElse("PKCS12"),
                truststore,
                config.secret("nova.cluster.tls.truststore-password", 1).orElse(null),
                config.optional("nova.cluster.tls.truststore-type").orElse("PKCS12"));
        tls.context();
        return tls;
    }

    /** A TLS context with this node's key and the truststore's authorities; refusals are logged and counted. */
    public SSLContext context() {
        KeyStore keys = KeyStores.load("nova.cluster.tls.keystore", keystore, keystorePassword, keystoreType);
        KeyStore trusted =
                KeyStores.load("nova.cluster.tls.truststore", truststore, truststorePassword, truststoreType);
        try {
            if (!hasKey(keys)) {
                throw new ConfigException(
                        "nova.cluster.tls.keystore", keystore + " holds no private key with its certificate");
            }
            if (trusted.size() == 0) {
                throw new ConfigException("nova.cluster.tls.truststore", truststore + " holds no certificate");
            }
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, keystorePassword.reveal().toCharArray());
            KeyManager[] presenting = new KeyManager[] {new Presenting(firstKeyManager(keyManagers))};
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            TrustManager[] wrapped = new TrustManager[] {new Refusals(first(trustManagers))};
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(presenting, wrapped, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("nova.cluster.tls.keystore", "no TLS context could be made: " + e.getMessage());
        }
    }

    /** Handshakes refused because the peer's certificate was not signed by a trusted authority, since start. */
    public static long refusedHandshakes() {
        return REFUSED.sum();
    }

    private static boolean hasKey(KeyStore keys) throws GeneralSecurityException {
        for (String alias : Collections.list(keys.aliases())) {
            if (keys.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    private static X509ExtendedKeyManager firstKeyManager(KeyManagerFactory factory) {
        for (KeyManager manager : factory.getKeyManagers()) {
            if (manager instanceof X509ExtendedKeyManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the JDK offers no X.509 key manager");
    }

    private static X509ExtendedTrustManager first(TrustManagerFactory factory) {
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the JDK offers no X.509 trust manager");
    }

    /**
     * The JDK's choice of this node's key, except that a node always presents its certificate when a member asks for
     * one, whoever signed it: the JDK would send none when no authority the member names signed it, and the member
     * would then refuse an empty certificate chain without saying whose. Presented, it is judged by the member's
     * {@link Refusals}, which names it (NOVA-1034).
     */
    private static final class Presenting extends X509ExtendedKeyManager {

        private final X509ExtendedKeyManager keys;

        Presenting(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return keys.chooseClientAlias(keyType, null, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return keys.chooseEngineClientAlias(keyType, null, engine);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keys.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return keys.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys.getServerAliases(keyType, issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    /**
     * The JDK's trust decisions, unchanged; a refusal is counted and logged as NOVA-1034, once a minute per
     * certificate subject, naming the subject and never more of the peer than its certificate shows.
     */
    private static final class Refusals extends X509ExtendedTrustManager {

        private final X509ExtendedTrustManager trust;

        Refusals(X509ExtendedTrustManager trust) {
            this.trust = trust;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            judged(chain, () -> trust.checkClientTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            judged(chain, () -> trust.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            judged(chain, () -> trust.checkClientTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            judged(chain, () -> trust.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            judged(chain, () -> trust.checkClientTrusted(chain, authType));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            judged(chain, () -> trust.checkServerTrusted(chain, authType));
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trust.getAcceptedIssuers();
        }

        private interface Check {
            void run() throws CertificateException;
        }

        private static void judged(X509Certificate[] chain, Check check) throws CertificateException {
            try {
                check.run();
            } catch (CertificateException e) {
                REFUSED.increment();
                String subject = chain == null || chain.length == 0
                        ? "(no certificate)"
                        : chain[0].getSubjectX500Principal().getName();
                long now = System.currentTimeMillis();
                Long last = LAST_LOGGED.get(subject);
                // The subject is read before the peer is authenticated: the map stays small whatever it sends.
                if ((last == null || now - last >= LOG_EVERY_MS) && LAST_LOGGED.size() < MAX_NOTED) {
                    LAST_LOGGED.put(subject, now);
                    LOG.warning(() -> "NOVA-1034 refused a cluster connection: the certificate of " + subject
                            + " is not accepted by the authorities of nova.cluster.tls.truststore (" + e.getMessage()
                            + "); " + refusedHandshakes() + " refused so far, noted once a minute per certificate");
                }
                if (LAST_LOGGED.size() >= MAX_NOTED) {
                    LAST_LOGGED.values().removeIf(at -> now - at >= LOG_EVERY_MS);
                }
                throw e;
            }
        }
    }
}
