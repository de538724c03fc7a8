package dev.nova.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The wall clock of decisions that follow the time of day (market hours). In production the system's UTC clock.
 * Integration tests start a server with the JVM option {@code -Dnova.test.clock-offset-file=<file>} and write into
 * that file how many milliseconds the clock runs ahead; it is read again whenever it changes. No endpoint and no
 * configuration key moves the clock.
 */
public final class Clocks {

    /** The JVM option that names the test clock's file. */
    public static final String TEST_OFFSET_FILE = "nova.test.clock-offset-file";

    private Clocks() {}

    /** The system clock, or the test clock when the JVM option names a file. */
    public static Clock wall() {
        String file = System.getProperty(TEST_OFFSET_FILE);
        return file == null || file.isBlank() ? Clock.systemUTC() : new OffsetFileClock(Path.of(file));
    }

    /** The system clock plus the offset in a file, re-read when the file changes. */
    static final class OffsetFileClock extends Clock {

        private final Path file;
        private volatile long modified = -1;
        private volatile long offset;

        OffsetFileClock(Path file) {
            this.file = file;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the test clock is UTC");
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(System.currentTimeMillis() + offset());
        }

        private long offset() {
            try {
                long changed = Files.getLastModifiedTime(file).toMillis();
                if (changed != modified) {
                    offset = Long.parseLong(Files.readString(file).trim());
                    modified = changed;
                }
            } catch (IOException | NumberFormatException e) {
                // No file, or half written: keep the offset last read.
            }
            return offset;
        }
    }
}
