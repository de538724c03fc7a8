package dev.nova.it.support;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The API users every test node is started with (README, "Roles"): the build passes their passwords to the
 * Arquillian server's environment and to the tests (pom.xml), and {@link LibertyNode} sets them on every node.
 */
public final class ApiUsers {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = System.getProperty("nova.it.admin-password", "it-admin-password");
    public static final String READER = "reader";
    public static final String READER_PASSWORD = System.getProperty("nova.it.reader-password", "it-reader-password");

    private ApiUsers() {}

    /** The {@code Authorization} header of HTTP Basic for a user. */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public static String admin() {
        return basic(ADMIN, ADMIN_PASSWORD);
    }

    public static String reader() {
        return basic(READER, READER_PASSWORD);
    }
}
