package dev.nova.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile cannot be built on these machines (no Docker engine), so check what can be checked after the
 * build: every path it copies exists, and the server configuration it copies is the one the tests ran.
 */
class DockerfileIT {

    private static final Pattern COPY = Pattern.compile("^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+(\\S+)\\s*$");

    @Test
    void everyCopiedPathExistsAfterTheBuild() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        List<Matcher> copies =
                lines.stream().map(COPY::matcher).filter(Matcher::matches).toList();

        assertThat(copies).hasSizeGreaterThanOrEqualTo(2);
        for (Matcher copy : copies) {
            assertThat(Path.of(copy.group(1)))
                    .as("COPY source %s", copy.group(1))
                    .exists();
        }
        assertThat(lines)
                .anyMatch(l -> l.startsWith("RUN features.sh"))
                .anyMatch(l -> l.startsWith("RUN configure.sh"));
    }

    @Test
    void theImageRunsTheSameServerConfigurationAsTheTests() throws Exception {
        String built = Files.readString(Path.of("target/liberty/wlp/usr/servers/nova/server.xml"));

        assertThat(built).isEqualTo(Files.readString(Path.of("liberty-config/server.xml")));
        assertThat(Path.of("target/liberty/wlp/usr/servers/nova/dropins/nova.war"))
                .exists();
    }
}
