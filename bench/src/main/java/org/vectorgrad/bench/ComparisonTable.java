package org.vectorgrad.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Vectorgrad and PyTorch measurements matched workload by workload (same benchmark, parameters
 * and thread count), in Vectorgrad's order, followed by workloads only PyTorch ran (a Vectorgrad
 * benchmark that failed shows up there, with an empty Vectorgrad cell).
 */
final class ComparisonTable {
    static final String RATIO_LEGEND = "ratio = PyTorch time / Vectorgrad time for the same work, so > 1 means"
            + " Vectorgrad is faster and < 1 slower, whatever the unit (for throughputs it is Vectorgrad / PyTorch).";
    private static final String MISSING = "—";
    private static final String[] HEADER = {"workload", "threads", "Vectorgrad", "PyTorch", "unit", "ratio"};

    /** One table line; a side that did not run (or failed) has an empty time. */
    record Row(Workload workload, int threads, OptionalDouble vectorgradSeconds, OptionalDouble torchSeconds,
               int torchThreads) {

        /** A row of one thread count, the same on both sides. */
        Row(Workload workload, int threads, OptionalDouble vectorgradSeconds, OptionalDouble torchSeconds) {
            this(workload, threads, vectorgradSeconds, torchSeconds, threads);
        }

        /** PyTorch's time over Vectorgrad's: > 1 when Vectorgrad is faster. */
        OptionalDouble ratio() {
            if (vectorgradSeconds.isEmpty() || torchSeconds.isEmpty()) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(torchSeconds.getAsDouble() / vectorgradSeconds.getAsDouble());
        }

        String[] cells() {
            String shownThreads = threads == torchThreads ? count(threads) : count(threads) + " / " + count(torchThreads);
            return new String[] {workload.label(), shownThreads,
                    shown(vectorgradSeconds), shown(torchSeconds), workload.unit().symbol(),
                    ratio().isPresent() ? shownRatio(ratio().getAsDouble()) : MISSING};
        }

        private static String count(int threads) {
            return threads == 0 ? MISSING : String.valueOf(threads);
        }

        // Two significant digits at least, so a 300x gap does not print as 0.00x.
        private static String shownRatio(double ratio) {
            return String.format(Locale.ROOT, ratio >= 0.1 ? "%.2fx" : "%.2gx", ratio);
        }

        private String shown(OptionalDouble seconds) {
            return seconds.isPresent() ? workload.format(seconds.getAsDouble()) : MISSING;
        }
    }

    private final List<Row> rows;

    private ComparisonTable(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    static ComparisonTable match(List<Measurement> vectorgrad, List<Measurement> torch) {
        Map<String, Measurement> unmatched = new LinkedHashMap<>();
        for (Measurement measurement : torch) {
            unmatched.put(measurement.key(), measurement);
        }
        List<Row> rows = new ArrayList<>();
        for (Measurement ours : vectorgrad) {
            Measurement theirs = unmatched.remove(ours.key());
            rows.add(new Row(Workload.of(ours.benchmark(), ours.params()), ours.threads(),
                    OptionalDouble.of(ours.secondsPerOp()),
                    theirs == null ? OptionalDouble.empty() : OptionalDouble.of(theirs.secondsPerOp())));
        }
        for (Measurement theirs : unmatched.values()) {
            rows.add(new Row(Workload.of(theirs.benchmark(), theirs.params()), theirs.threads(),
                    OptionalDouble.empty(), OptionalDouble.of(theirs.secondsPerOp())));
        }
        return new ComparisonTable(rows);
    }

    /**
     * The headline comparison the issue asks for: per workload, each side at its best thread count
     * (PyTorch's 2-thread OpenMP runs are erratic for small steps on these VMs, so neither side is
     * held to one count). The threads cell says which count won, Vectorgrad's first.
     */
    static ComparisonTable bestOfThreads(List<Measurement> vectorgrad, List<Measurement> torch) {
        Map<String, Measurement> bestTorch = fastestPerWorkload(torch);
        List<Row> rows = new ArrayList<>();
        for (Measurement ours : fastestPerWorkload(vectorgrad).values()) {
            Measurement theirs = bestTorch.remove(workloadKey(ours));
            rows.add(new Row(Workload.of(ours.benchmark(), ours.params()), ours.threads(),
                    OptionalDouble.of(ours.secondsPerOp()),
                    theirs == null ? OptionalDouble.empty() : OptionalDouble.of(theirs.secondsPerOp()),
                    theirs == null ? 0 : theirs.threads()));
        }
        return new ComparisonTable(rows);
    }

    private static Map<String, Measurement> fastestPerWorkload(List<Measurement> measurements) {
        Map<String, Measurement> fastest = new LinkedHashMap<>();
        for (Measurement m : measurements) {
            fastest.merge(workloadKey(m), m, (a, b) -> b.secondsPerOp() < a.secondsPerOp() ? b : a);
        }
        return fastest;
    }

    private static String workloadKey(Measurement m) {
        return m.benchmark() + " " + new java.util.TreeMap<>(m.params());
    }

    List<Row> rows() {
        return rows;
    }

    /** A Markdown table whose columns are padded to line up in a terminal too. */
    String toMarkdown() {
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADER);
        rows.forEach(row -> lines.add(row.cells()));
        int[] widths = new int[HEADER.length];
        for (String[] cells : lines) {
            for (int c = 0; c < cells.length; c++) {
                widths[c] = Math.max(widths[c], cells[c].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (int line = 0; line < lines.size(); line++) {
            appendLine(text, lines.get(line), widths);
            if (line == 0) {
                String[] rule = new String[widths.length];
                for (int c = 0; c < widths.length; c++) {
                    rule[c] = leftAligned(c) ? "-".repeat(widths[c]) : "-".repeat(widths[c] - 1) + ":";
                }
                appendLine(text, rule, widths);
            }
        }
        return text.toString();
    }

    // Text columns align left; numbers align right so their digits line up.
    private static boolean leftAligned(int column) {
        return column == 0 || column == 4;
    }

    private static void appendLine(StringBuilder text, String[] cells, int[] widths) {
        for (int c = 0; c < cells.length; c++) {
            String format = "| %" + (leftAligned(c) ? "-" : "") + widths[c] + "s ";
            text.append(String.format(Locale.ROOT, format, cells[c]));
        }
        text.append("|\n");
    }
}
