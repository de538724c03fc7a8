package dev.nova.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.NovaException;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.ProcessingException;
import org.junit.jupiter.api.Test;

class ProblemMapperTest {

    @Test
    void shouldMapNovaExceptionsToTheirStatusWithTheirMessage() {
        Problem problem = ProblemMapper.describe(NovaException.conflict("client 'x' already exists"), "urn:uuid:1");

        assertThat(problem.status()).isEqualTo(409);
        assertThat(problem.detail()).isEqualTo("client 'x' already exists");
        assertThat(problem.type()).isEqualTo("urn:nova:problem:conflict");
        assertThat(problem.instance()).isEqualTo("urn:uuid:1");
    }

    @Test
    void shouldUnwrapWrappedNovaExceptions() {
        Problem problem = ProblemMapper.describe(new RuntimeException(NovaException.notFound("no such client")), "i");

        assertThat(problem.status()).isEqualTo(404);
    }

    @Test
    void shouldMapBindingFailuresToMalformedJson() {
        Problem problem = ProblemMapper.describe(new ProcessingException(new JsonbException("boom")), "i");

        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.title()).isEqualTo("Malformed JSON");
    }

    @Test
    void shouldMapUnexpectedFailuresTo500WithoutDetails() {
        Problem problem = ProblemMapper.describe(new IllegalStateException("secret internals"), "urn:uuid:9");

        assertThat(problem.status()).isEqualTo(500);
        assertThat(problem.detail()).doesNotContain("secret internals").contains("urn:uuid:9");
    }

    @Test
    void shouldNameAnUnknownFieldWithoutLeakingClassNames() {
        JsonbException unknown = new JsonbException(
                "Json property chanels can not be mapped to a class class dev.nova.api.Dtos$CreateClient.");

        Problem problem = ProblemMapper.describe(new ProcessingException(unknown), "i");

        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.detail()).isEqualTo("unknown field 'chanels' in the request body");
    }
}
