package dev.nova.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The dashboard's own files: small, and nothing fetched from elsewhere (it must work offline). */
class DashboardFilesTest {

    private static final Path WEBAPP = Path.of("src/main/webapp");

    private static List<Path> pageFiles() throws IOException {
        try (Stream<Path> files = Files.walk(WEBAPP.resolve("dashboard"))) {
            return Stream.concat(Stream.of(WEBAPP.resolve("index.html")), files.filter(Files::isRegularFile))
                    .toList();
        }
    }

    @Test
    void thePagesOwnFilesStayUnder200Kilobytes() throws IOException {
        long bytes = 0;
        for (Path file : pageFiles()) {
            bytes += Files.size(file);
        }
        assertThat(bytes).isPositive().isLessThan(200 * 1024);
    }

    @Test
    void thePageLoadsNothingFromAnotherOrigin() throws IOException {
        for (Path file : pageFiles()) {
            assertThat(Files.readString(file))
                    .as("%s", file)
                    .doesNotContainPattern("(src|href)=\"(https?:)?//")
                    .doesNotContain("@import url(http")
                    .doesNotContainPattern("fetch\\(['\"`]https?://");
        }
    }
}
