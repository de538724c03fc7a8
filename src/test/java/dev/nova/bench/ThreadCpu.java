package dev.nova.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the CPU went during a measurement, per group of threads: the kernel's scheduler statistics of each thread of
 * a process ({@code /proc/<pid>/task/<tid>/schedstat}: time on a CPU and time runnable but waiting for one), summed
 * by a grouping of thread names and taken as the difference between two snapshots. Linux only; elsewhere the
 * snapshots are empty and every figure is 0.
 */
final class ThreadCpu {

    /** Time on a CPU and time waiting for one, in nanoseconds. */
    record Times(long runNanos, long waitNanos) {
        Times plus(Times other) {
            return new Times(runNanos + other.runNanos, waitNanos + other.waitNanos);
        }

        Times minus(Times other) {
            return new Times(runNanos - other.runNanos, waitNanos - other.waitNanos);
        }

        /** The share of its runnable time a group spent waiting for a core. */
        double waitingShare() {
            long runnable = runNanos + waitNanos;
            return runnable == 0 ? 0 : (double) waitNanos / runnable;
        }
    }

    /** One snapshot of every thread of a process, keyed by thread id. */
    record Snapshot(Map<String, String> names, Map<String, Times> times) {

        static Snapshot of(long pid) {
            Map<String, String> names = new HashMap<>();
            Map<String, Times> times = new HashMap<>();
            Path tasks = Path.of("/proc", Long.toString(pid), "task");
            if (!Files.isDirectory(tasks)) {
                return new Snapshot(names, times);
            }
            try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
                for (Path thread : threads) {
                    try {
                        String[] stat = Files.readString(thread.resolve("schedstat"))
                                .trim()
                                .split(" ");
                        String tid = thread.getFileName().toString();
                        names.put(tid, Files.readString(thread.resolve("comm")).trim());
                        times.put(tid, new Times(Long.parseLong(stat[0]), Long.parseLong(stat[1])));
                    } catch (NoSuchFileException ended) {
                        // the thread ended between the listing and the read
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + tasks, e);
            }
            return new Snapshot(names, times);
        }

        /**
         * What each group of threads used since {@code before}: the group of a thread is {@code group} applied to its
         * name (as the kernel keeps it: at most 15 characters). A thread that started in between counts from 0.
         */
        Map<String, Times> since(Snapshot before, Function<String, String> group) {
            Map<String, Times> used = new HashMap<>();
            times.forEach((tid, now) -> {
                Times then = before.times.getOrDefault(tid, new Times(0, 0));
                used.merge(group.apply(names.get(tid)), now.minus(then), Times::plus);
            });
            return used;
        }
    }

    private ThreadCpu() {}

    /** Microseconds of CPU per message. */
    static double microsPerMessage(Times times, long messages) {
        return times == null ? 0 : times.runNanos() / 1000.0 / messages;
    }
}
