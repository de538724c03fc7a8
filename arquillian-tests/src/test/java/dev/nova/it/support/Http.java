package dev.nova.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A small JSON-over-HTTP client for the admin API. It sends the admin's credentials unless made {@link #as} another
 * user or {@link #anonymous()}.
 */
public final class Http {

    public static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, content type, body (parsed when JSON), the Location, Allow and WWW-Authenticate headers. */
    public record Reply(
            int status,
            String contentType,
            String text,
            String location,
            String allow,
            String authenticate,
            java.net.http.HttpHeaders headers) {

        public JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text, e);
            }
        }

        public boolean isProblem() {
            return contentType != null && contentType.startsWith("application/problem+json");
        }
    }

    static {
        // The nodes' certificates are self-signed for their host name; the tests reach them by address.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .sslContext(trustingEveryCertificate())
            .build();

    private final HttpClient client = CLIENT;
    private final String base;
    private final String tlsBase;
    private final String authorization;

    /** A node's API over plain HTTP, as the admin (its metrics, which Liberty serves over HTTPS only, unreachable). */
    public Http(String base) {
        this(base, null, ApiUsers.admin());
    }

    /** A node's API over plain HTTP, and over HTTPS at {@code tlsBase} (where {@code /metrics} is read), as the admin. */
    public Http(String base, String tlsBase) {
        this(base, tlsBase, ApiUsers.admin());
    }

    private Http(String base, String tlsBase, String authorization) {
        this.base = trimmed(base);
        this.tlsBase = tlsBase == null ? null : trimmed(tlsBase);
        this.authorization = authorization;
    }

    /** The node the Arquillian tests deploy into: its HTTPS port is reserved by the build (pom.xml). */
    public static Http arquillian(String base) {
        return new Http(base, "https://127.0.0.1:" + System.getProperty("nova.it.https.port"));
    }

    private static String trimmed(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** The same node, with another user's credentials. */
    public Http as(String user, String password) {
        return new Http(base, tlsBase, ApiUsers.basic(user, password));
    }

    /** The same node, without credentials. */
    public Http anonymous() {
        return new Http(base, tlsBase, null);
    }

    /** The same node over HTTPS (every request). */
    public Http tls() {
        if (tlsBase == null) {
            throw new IllegalStateException("no HTTPS address is known for " + base);
        }
        return new Http(tlsBase, tlsBase, authorization);
    }

    /** Any request, e.g. with an {@code Origin} header. */
    public Reply send(String method, String path, String contentType, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    public String base() {
        return base;
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Reply delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    public Reply post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Whether the node answers HTTP at all. */
    public boolean isUp() {
        try {
            get("/health/live");
            return true;
        } catch (UncheckedIOException down) {
            return false;
        }
    }

    /** The address of a path; {@code /metrics} is at the HTTPS address (Liberty serves it there only). */
    public URI uri(String path) {
        if (path.startsWith("/metrics") && tlsBase != null) {
            return URI.create(tlsBase + path);
        }
        return URI.create(base + path);
    }

    /** Trusts every certificate: the tests talk to nodes of their own on loopback or in their own namespaces. */
    private static SSLContext trustingEveryCertificate() {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response =
                    client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(null),
                    response.body(),
                    response.headers().firstValue("Location").orElse(null),
                    response.headers().firstValue("Allow").orElse(null),
                    response.headers().firstValue("WWW-Authenticate").orElse(null),
                    response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
