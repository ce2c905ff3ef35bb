package org.vectorgrad.bench;

import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The command line of {@link Compare}. */
record CompareOptions(boolean compare, boolean quick, String filter, Path resultsDir, Path torchScript,
                      String python, boolean help) {

    /**
     * The families that have a PyTorch twin; KernelsBenchmark (scalar vs vector) and
     * ConcurrentCallersBenchmark (an executor's tasks vs the same tasks in sequence) run only when asked for.
     */
    static final String DEFAULT_FILTER =
            "org\\.vectorgrad\\.bench\\.(Matmul|Elementwise|Reduction|Autograd|TrainingStep|ConvNetStep|ColdSeedGraph)Benchmark\\.";

    static final String USAGE = """
            Usage: vectorgrad bench [--compare] [--quick] [--filter REGEX] [--results DIR]
                                    [--torch-script FILE] [--python EXE]
            Runs the JMH suite and prints a table of the results; with --compare, also runs the same
            workloads in PyTorch and shows the ratio per workload.
              --compare            run tools/pytorch/bench_torch.py too (needs PyTorch on --python)
              --quick              very short iterations: a smoke test, not a measurement
              --filter REGEX       benchmarks whose full name contains a match (default: every family
                                   with a PyTorch twin; e.g. 'Matmul' or 'KernelsBenchmark')
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
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--compare" -> compare = true;
                case "--quick" -> quick = true;
                case "--help", "-h" -> help = true;
                case "--filter" -> filter = validRegex(value(args, ++i, "--filter"));
                case "--results" -> results = Path.of(value(args, ++i, "--results"));
                case "--torch-script" -> script = Path.of(value(args, ++i, "--torch-script"));
                case "--python" -> python = value(args, ++i, "--python");
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        return new CompareOptions(compare, quick, filter, results, script, python, help);
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
                + (filter.equals(DEFAULT_FILTER) ? "" : " --filter '" + filter + "'");
    }

    /** The date-stamped name stem of this run's files, e.g. {@code 2026-11-23} or {@code 2026-11-23-quick}. */
    String filePrefix(String date) {
        return quick ? date + "-quick" : date;
    }
}
