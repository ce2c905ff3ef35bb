package org.vectorgrad.bench;

import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The command line of {@link Compare}. */
record CompareOptions(boolean compare, boolean quick, String filter, Path resultsDir, Path torchScript,
                      String python, boolean help, int rounds) {

    /**
     * The families that have a PyTorch twin; KernelsBenchmark (scalar vs vector) and
     * ConcurrentCallersBenchmark (an executor's tasks vs the same tasks in sequence) run only when asked for.
     */
    static final String DEFAULT_FILTER =
            "org\\.vectorgrad\\.bench\\.(Matmul|Elementwise|Reduction|Autograd|TrainingStep|ConvNetStep|ColdSeedGraph)Benchmark\\.";

    static final String USAGE = """
            Usage: vectorgrad bench [--compare] [--quick] [--filter REGEX] [--rounds N] [--results DIR]
                                    [--torch-script FILE] [--python EXE]
            Runs the JMH suite and prints a table of the results; with --compare, also runs the same
            workloads in PyTorch and shows the ratio per workload.
              --compare            run tools/pytorch/bench_torch.py too (needs PyTorch on --python)
              --quick              very short iterations: a smoke test, not a measurement
              --filter REGEX       benchmarks whose full name contains a match (default: every family
                                   with a PyTorch twin; e.g. 'Matmul' or 'KernelsBenchmark')
              --rounds N           run both sides N times, alternating, and keep each workload's fastest
                                   time per side (default 1): a slow phase of the host then does not
                                   land on one side only; round k > 1 writes <date>-r<k>-*.json
              --results DIR        where <date>-jmh.json, <date>-torch.json and <date>-compare.md go
                                   (default: jmh-results; --quick names them <date>-quick-*)
              --torch-script FILE  the PyTorch side (default: tools/pytorch/bench_torch.py)
              --python EXE         the Python that has torch (default: /usr/bin/python3)
            """;

    static CompareOptions parse(String... args) {
        boolean compare = false;
        boolean quick = false;
        boolean help = false;
        String filter = DEFAULT_FILTER;
        Path results = Path.of("jmh-results");
        Path script = Path.of("tools", "pytorch", "bench_torch.py");
        String python = "/usr/bin/python3";
        int rounds = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--compare" -> compare = true;
                case "--quick" -> quick = true;
                case "--help", "-h" -> help = true;
                case "--filter" -> filter = validRegex(value(args, ++i, "--filter"));
                case "--results" -> results = Path.of(value(args, ++i, "--results"));
                case "--torch-script" -> script = Path.of(value(args, ++i, "--torch-script"));
                case "--python" -> python = value(args, ++i, "--python");
                case "--rounds" -> rounds = positive(value(args, ++i, "--rounds"), "--rounds");
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        return new CompareOptions(compare, quick, filter, results, script, python, help, rounds);
    }

    private static int positive(String text, String option) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a whole number of at least 1, got '" + text + "'");
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static String validRegex(String regex) {
        try {
            Pattern.compile(regex);
            return regex;
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--filter is not a valid regular expression: " + e.getDescription()
                    + " in '" + regex + "'");
        }
    }

    /** The launcher command that reproduces this run (paths left out: they depend on the checkout). */
    String commandLine() {
        return "./vectorgrad bench" + (compare ? " --compare" : "") + (quick ? " --quick" : "")
                + (filter.equals(DEFAULT_FILTER) ? "" : " --filter '" + filter + "'")
                + (rounds == 1 ? "" : " --rounds " + rounds);
    }

    /** The date-stamped name stem of this run's files, e.g. {@code 2026-11-23} or {@code 2026-11-23-quick}. */
    String filePrefix(String date) {
        return quick ? date + "-quick" : date;
    }

    /** The raw files' stem of round {@code round} (from 1): the run's prefix, then -r2, -r3... */
    String roundPrefix(String date, int round) {
        return round == 1 ? filePrefix(date) : filePrefix(date) + "-r" + round;
    }
}
