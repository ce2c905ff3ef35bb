package org.vectorgrad.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./vectorgrad bench [--compare] [--quick] [--filter REGEX]}: runs the JMH suite, and with
 * {@code --compare} the same workloads in PyTorch, then prints and saves a table with the ratio
 * per workload. Run from benchmarks.jar: {@code java --add-modules jdk.incubator.vector -cp
 * bench/target/benchmarks.jar org.vectorgrad.bench.Compare --compare}.
 */
public final class Compare {
    private Compare() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        CompareOptions options;
        try {
            options = CompareOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("vectorgrad bench: " + e.getMessage());
            System.err.print(CompareOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(CompareOptions.USAGE);
            return;
        }
        System.exit(run(options));
    }

    private static int run(CompareOptions options) throws IOException, InterruptedException {
        String date = LocalDate.now().toString();
        Files.createDirectories(options.resultsDir());
        Rounds rounds = runRounds(options, date);
        if (rounds == null) {
            System.err.println("vectorgrad bench: no benchmark matched '" + options.filter() + "' or every one failed.");
            return 1;
        }
        List<Measurement> ours = Measurement.fastest(rounds.ours());
        List<Measurement> theirs = Measurement.fastest(rounds.theirs());
        ComparisonTable table = ComparisonTable.match(ours, theirs);
        ComparisonTable best = ComparisonTable.bestOfThreads(ours, theirs);
        Map<String, String> machine = Machine.describe();
        machine.put("date", date);
        String text = CompareReport.markdown(date, machine, rounds.torchMachine(), rounds.torchNote(),
                options.commandLine(), settings(options), String.join(", ", rounds.files()), best, table);
        Path report = options.resultsDir().resolve(options.filePrefix(date) + "-compare.md");
        Files.writeString(report, text);
        System.out.println();
        System.out.print(text);
        System.out.println("\nvectorgrad bench: wrote " + report);
        return 0;
    }

    /** Each round's measurements per side, the raw files written, and what to say about PyTorch. */
    private record Rounds(List<List<Measurement>> ours, List<List<Measurement>> theirs, List<String> files,
                          Map<String, String> torchMachine, String torchNote) {
    }

    // JMH, then PyTorch, options.rounds() times; null when JMH measured nothing.
    private static Rounds runRounds(CompareOptions options, String date) throws IOException, InterruptedException {
        String torchNote = "not run (add --compare)";
        boolean torchRuns = options.compare() && TorchProcess.available(options.python());
        if (options.compare() && !torchRuns) {
            torchNote = "not installed for " + options.python() + "; install it with: " + TorchProcess.INSTALL_HINT;
            System.err.println("vectorgrad bench: PyTorch is " + torchNote + ". Showing Vectorgrad alone.");
        }
        List<List<Measurement>> ours = new ArrayList<>();
        List<List<Measurement>> theirs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        Map<String, String> torchMachine = null;
        for (int round = 1; round <= options.rounds(); round++) {
            String prefix = options.roundPrefix(date, round);
            Path jmhJson = options.resultsDir().resolve(prefix + "-jmh.json");
            List<Measurement> measured = runJmh(options, jmhJson);
            if (measured.isEmpty()) {
                return null;
            }
            ours.add(measured);
            files.add("`" + jmhJson.getFileName() + "` (JMH)");
            Path torchJson = options.resultsDir().resolve(prefix + "-torch.json");
            if (torchRuns && TorchProcess.run(options, torchJson)) {
                ResultFiles.TorchRun torch = ResultFiles.readTorch(torchJson);
                theirs.add(torch.measurements());
                torchMachine = torch.machine();
                files.add("`" + torchJson.getFileName() + "` (bench_torch.py)");
            } else if (torchRuns) {
                torchNote = "its script failed (see the output above)";
                System.err.println("vectorgrad bench: " + torchNote + "; showing Vectorgrad alone.");
                torchRuns = false;
                theirs.clear();
            }
        }
        return new Rounds(ours, theirs, files, torchMachine, torchNote);
    }

    private static List<Measurement> runJmh(CompareOptions options, Path jmhJson) throws IOException {
        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include(options.filter())
                .resultFormat(ResultFormatType.JSON)
                .result(jmhJson.toString())
                .shouldFailOnError(false);
        if (options.quick()) {
            jmh.warmupIterations(1).warmupTime(TimeValue.milliseconds(100))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(100));
        }
        Files.deleteIfExists(jmhJson);
        try {
            new Runner(jmh.build()).run();
        } catch (RunnerException e) {
            System.err.println("vectorgrad bench: JMH failed: " + e.getMessage());
        }
        return Files.exists(jmhJson) ? ResultFiles.readJmh(jmhJson) : List.of();
    }

    private static String settings(CompareOptions options) {
        String timing = options.quick()
                ? "Quick mode (--quick): 1 warm-up and 2 measurement iterations of 100 ms, a smoke test whose"
                        + " numbers mean nothing."
                : "Vectorgrad: JMH, 1 fork, 2 warm-up and 3 measurement iterations of 1 s each (matmul, seed graph"
                        + " and MLP steps: 6 x 1 s of warm-up, conv nets 5 x 2 s; cold seed graph: 5 fresh JVMs, one"
                        + " 20k-iteration shot each)."
                        + " PyTorch: median of 5 timed runs of 0.6 s after a 2 s warm-up.";
        String rounds = options.rounds() == 1 ? ""
                : " " + options.rounds() + " rounds, the two sides alternating; each workload's fastest round per side.";
        return timing + rounds + " Benchmarks matching `" + options.filter() + "`.";
    }
}
