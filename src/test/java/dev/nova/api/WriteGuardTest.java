package dev.nova.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class WriteGuardTest {

    @Test
    void theAuditMasksEverySecretLookingMemberAndKeepsTheRest() {
        String body = "{\"name\":\"c1\",\"credentials\":{\"clientId\":\"acct\",\"clientSecret\":\"s3cr\\\"et\"},\n"
                + "  \"password\" : \"pw\", \"apiKey\":{\"k\":1}, \"token\":\"t\", \"channels\":[\"a\"]}";

        String masked = WriteGuard.masked(body);

        assertThat(masked)
                .contains("\"name\":\"c1\"", "\"clientId\":\"acct\"", "\"channels\":[\"a\"]")
                .contains("\"clientSecret\":\"****\"", "\"password\":\"****\"", "\"apiKey\":\"****\"")
                .contains("\"token\":\"****\"")
                .doesNotContain("s3cr", "\"pw\"", "\"k\"", "\"t\"", "\n");
    }

    @Test
    void aSecretBehindAnEscapedNameIsMaskedAndABodyThatIsNotJsonIsNotShown() {
        assertThat(WriteGuard.masked("{\"client\\u0053ecret\":\"hidden-1\"}"))
                .contains("****")
                .doesNotContain("hidden-1");
        assertThat(WriteGuard.masked("{\"credentials\":{\"clientSecret\":\"hidden-2}"))
                .isEqualTo("(41 characters, not JSON)");
    }

    @Test
    void onlyTheNodesOwnOriginIsTheSameOrigin() {
        URI base = URI.create("http://127.0.0.1:9080/api/");

        assertThat(WriteGuard.sameOrigin("http://127.0.0.1:9080", base)).isTrue();
        assertThat(WriteGuard.sameOrigin("HTTP://127.0.0.1:9080", base)).isTrue();
        assertThat(WriteGuard.sameOrigin("http://127.0.0.1:9081", base)).isFalse();
        assertThat(WriteGuard.sameOrigin("https://127.0.0.1:9080", base)).isFalse();
        assertThat(WriteGuard.sameOrigin("http://evil.example", base)).isFalse();
        assertThat(WriteGuard.sameOrigin("null", base)).isFalse();
        assertThat(WriteGuard.sameOrigin("https://nova.example", URI.create("https://nova.example:443/api/")))
                .isTrue();
    }

    @Test
    void readsAndBudgetChecksAreTheReadersEverythingElseTheAdmins() {
        assertThat(OpenApiRoles.role("GET", "/api/clients")).isEqualTo("nova-reader");
        assertThat(OpenApiRoles.role("POST", "/api/ratelimits/check")).isEqualTo("nova-reader");
        assertThat(OpenApiRoles.role("POST", "/api/ratelimits/update")).isEqualTo("nova-admin");
        assertThat(OpenApiRoles.role("DELETE", "/api/clients/{name}")).isEqualTo("nova-admin");
    }
}
