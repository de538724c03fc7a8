package dev.nova.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClocksTest {

    @Test
    void withoutTheJvmOptionItIsTheSystemClock() {
        assertThat(System.getProperty(Clocks.TEST_OFFSET_FILE)).isNull();
        assertThat(Clocks.wall()).isEqualTo(Clock.systemUTC());
    }

    @Test
    void theTestClockRunsAheadByTheOffsetInItsFileReadAgainWhenItChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("offset");
        Clock clock = new Clocks.OffsetFileClock(file);
        assertThat(Duration.between(Instant.now(), clock.instant()).abs())
                .as("no file: no offset")
                .isLessThan(Duration.ofSeconds(5));

        Files.writeString(file, Long.toString(Duration.ofHours(7).toMillis()));
        assertThat(Duration.between(Instant.now(), clock.instant()).toMinutes()).isBetween(419L, 421L);

        Files.writeString(file, Long.toString(-Duration.ofHours(2).toMillis()));
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 1000));
        assertThat(Duration.between(Instant.now(), clock.instant()).toMinutes()).isBetween(-121L, -119L);

        Files.writeString(file, "half written");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 2000));
        assertThat(Duration.between(Instant.now(), clock.instant()).toMinutes())
                .as("an unreadable file keeps the offset last read")
                .isBetween(-121L, -119L);
    }
}
