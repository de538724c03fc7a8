package dev.nova.cluster;

import dev.nova.simulator.Keytool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A certificate authority made for one test run (keytool), with a truststore holding it and keystores for nodes:
 * signed by it, or self-signed (an intruder's).
 */
public final class TestPki {

    private final Path dir;
    private final String password = "pki-" + UUID.randomUUID();

    private TestPki(Path dir) {
        this.dir = dir;
    }

    /** A new authority in a new directory under {@code parent}. */
    public static TestPki create(Path parent) throws IOException, InterruptedException {
        Path absolute = parent.toAbsolutePath();
        Files.createDirectories(absolute);
        TestPki pki = new TestPki(Files.createTempDirectory(absolute, "pki-"));
        Path ca = pki.dir.resolve("ca.p12");
        Keytool.run(pki.genkeypair("ca", "CN=nova-test-authority", ca, "-ext", "bc:c"));
        Keytool.run(
                "-exportcert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                pki.password,
                "-file",
                pki.caCertificate().toString());
        Keytool.run(pki.importTrusted(pki.truststore()));
        return pki;
    }

    /** The truststore with the authority's certificate. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** The password of every store made here. */
    public String password() {
        return password;
    }

    /** A keystore for {@code node} with a key and a certificate the authority signed. */
    public Path signed(String node) throws IOException, InterruptedException {
        Path keystore = dir.resolve(node + ".p12");
        Path request = dir.resolve(node + ".csr");
        Path certificate = dir.resolve(node + ".pem");
        Keytool.run(genkeypair(node, "CN=" + node, keystore));
        Keytool.run(
                "-certreq",
                "-alias",
                node,
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-file",
                request.toString());
        Keytool.run(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                dir.resolve("ca.p12").toString(),
                "-storepass",
                password,
                "-infile",
                request.toString(),
                "-outfile",
                certificate.toString(),
                "-validity",
                "2",
                "-ext",
                "eku=serverAuth,clientAuth");
        Keytool.run(importTrusted(keystore));
        Keytool.run(
                "-importcert",
                "-noprompt",
                "-alias",
                node,
                "-file",
                certificate.toString(),
                "-keystore",
                keystore.toString(),
                "-storepass",
                password);
        return keystore;
    }

    /** A keystore for {@code node} with a self-signed certificate: no member trusts it. */
    public Path selfSigned(String node) throws IOException, InterruptedException {
        Path keystore = dir.resolve(node + "-self.p12");
        Keytool.run(genkeypair(node, "CN=" + node, keystore));
        return keystore;
    }

    private Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    private String[] importTrusted(Path store) {
        return new String[] {
            "-importcert",
            "-noprompt",
            "-alias",
            "ca",
            "-file",
            caCertificate().toString(),
            "-storetype",
            "PKCS12",
            "-keystore",
            store.toString(),
            "-storepass",
            password
        };
    }

    private String[] genkeypair(String alias, String name, Path keystore, String... extra) {
        String[] base = {
            "-genkeypair",
            "-alias",
            alias,
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-validity",
            "2",
            "-dname",
            name,
            "-storetype",
            "PKCS12",
            "-keystore",
            keystore.toString(),
            "-storepass",
            password
        };
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }
}
