package dev.nova.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The table the harness prints and writes: one row per figure, median of the runs with min and max. */
final class Report {

    /** One figure: its runs, and what it is compared to or what limited it. */
    record Row(String figure, String unit, List<Double> runs, String comparison) {}

    private final List<Row> rows = new ArrayList<>();
    private final Path file;
    private final String header;

    Report(Path file, String header) {
        this.file = file;
        this.header = header;
    }

    /** What the following figures are measured under (e.g. the cluster in clear), put before their names. */
    private String variant = "";

    synchronized void variant(String label) {
        this.variant = label == null || label.isEmpty() ? "" : label + ": ";
    }

    synchronized void add(String figure, String unit, List<Double> runs, String comparison) {
        Row row = new Row(variant + figure, unit, List.copyOf(runs), comparison == null ? "" : comparison);
        rows.add(row);
        System.out.println("[bench] " + figure + ": " + Stats.format(Stats.median(runs)) + " " + unit + " (min "
                + Stats.format(Stats.min(runs)) + ", max " + Stats.format(Stats.max(runs)) + ", " + runs.size()
                + " runs) " + row.comparison());
        write();
    }

    synchronized String table() {
        StringBuilder out = new StringBuilder();
        out.append("| figure | median | min | max | runs | unit | comparison / note |\n");
        out.append("|---|---:|---:|---:|---:|---|---|\n");
        for (Row row : rows) {
            out.append("| ")
                    .append(row.figure())
                    .append(" | ")
                    .append(Stats.format(Stats.median(row.runs())))
                    .append(" | ")
                    .append(Stats.format(Stats.min(row.runs())))
                    .append(" | ")
                    .append(Stats.format(Stats.max(row.runs())))
                    .append(" | ")
                    .append(row.runs().size())
                    .append(" | ")
                    .append(row.unit())
                    .append(" | ")
                    .append(row.comparison())
                    .append(" |\n");
        }
        return out.toString();
    }

    private void write() {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, header + "\n\n" + table());
        } catch (IOException e) {
            System.err.println("[bench] could not write " + file + ": " + e);
        }
    }
}
