package org.vectorgrad.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vectorgrad.Parallelism;
import org.vectorgrad.data.FashionMnist;
import org.vectorgrad.io.SafetensorsFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vectorgrad train}: the main job, training a model on Fashion-MNIST. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model on Fashion-MNIST with SGD + momentum, showing a progress bar per epoch, the"
            + " train loss and the test accuracy. After every epoch it writes a safetensors checkpoint (PyTorch can"
            + " read it), a history CSV and a loss/accuracy PNG to the output directory.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", converter = ModelConverter.class,
            description = "mlp, cnn or resnet18 (default: ${DEFAULT-VALUE})", defaultValue = "cnn")
    ModelKind model;

    @Option(names = "--epochs", paramLabel = "N", description = "total epochs to train (default: ${DEFAULT-VALUE})", defaultValue = "5")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "training batch size (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", description = "SGD learning rate (default: ${DEFAULT-VALUE})", defaultValue = "0.03")
    float lr;

    @Option(names = "--lr-schedule", paramLabel = "NAME", converter = ScheduleConverter.class, defaultValue = "cosine",
            description = "cosine (annealed to 0 over the epochs) or constant (default: ${DEFAULT-VALUE})")
    TrainOptions.Schedule schedule;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum (default: ${DEFAULT-VALUE})", defaultValue = "0.9")
    float momentum;

    @Option(names = "--threads", paramLabel = "N", converter = TrainArguments.Threads.class, description = "kernel threads (default: the available processors, ${DEFAULT-VALUE})")
    int threads = Parallelism.threads();

    @Option(names = "--seed", paramLabel = "SEED", description = "seed for weights and shuffling (default: ${DEFAULT-VALUE})", defaultValue = "0")
    long seed;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Fashion-MNIST IDX files (default: ${DEFAULT-VALUE},"
            + " Debian's dataset-fashion-mnist)", defaultValue = FashionMnist.DEBIAN_LOCATION)
    Path dataDir;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "where checkpoint, CSV and PNG go (default: ${DEFAULT-VALUE})",
            defaultValue = "runs")
    Path outputDir;

    @Option(names = "--resume", paramLabel = "FILE", description = "continue the run saved in this checkpoint")
    Path resume;

    @Option(names = "--stop-after", paramLabel = "N", converter = TrainArguments.AtLeastOne.class, description = "stop once N epochs in all are done (the lr"
            + " schedule still spans --epochs); continue later with --resume")
    Integer stopAfter;

    @Option(names = "--limit", paramLabel = "N", description = "train on the first N training images only")
    Integer limit;

    @Option(names = "--test-limit", paramLabel = "N", description = "evaluate on the first N test images only")
    Integer testLimit;

    @Option(names = "--spark", paramLabel = "MASTER", arity = "0..1", fallbackValue = "local[*]",
            description = "train on Apache Spark: data-parallel workers that sum their gradients every step (same"
                + " results as one process at the same batch size). MASTER: local[N], local[*] (the default),"
                + " spark://host:7077 or yarn")
    String sparkMaster;

    @Option(names = "--partitions", paramLabel = "N", description = "with --spark: data-parallel workers"
            + " (default: the master's cores)")
    Integer partitions;

    /** The result-deciding options, as spelled on the command line, that a resumed run takes from its checkpoint. */
    private static final List<String> TRAJECTORY = List.of("--model", "--batch-size", "--lr", "--lr-schedule",
            "--momentum", "--seed", "--limit", "--test-limit");

    private DatasetSetup.Environment environment = DatasetSetup.system();
    private PrintStream out = System.out;
    private PrintStream err = System.err;

    static final class ModelConverter implements CommandLine.ITypeConverter<ModelKind> {
        @Override
        public ModelKind convert(String value) {
            return ModelKind.parse(value);
        }
    }

    /** For tests: a fake machine and captured output. */
    static final class ScheduleConverter implements CommandLine.ITypeConverter<TrainOptions.Schedule> {
        @Override
        public TrainOptions.Schedule convert(String value) {
            return TrainOptions.Schedule.parse(value);
        }
    }

    TrainCommand with(DatasetSetup.Environment env, PrintStream stdout, PrintStream stderr) {
        this.environment = env;
        this.out = stdout;
        this.err = stderr;
        return this;
    }

    TrainOptions options() {
        return new TrainOptions(model, epochs, batchSize, lr, schedule, momentum, seed,
                limit == null ? TrainOptions.ALL : limit, testLimit == null ? TrainOptions.ALL : testLimit,
                threads, dataDir, outputDir);
    }

    @Override
    public Integer call() {
        try {
            TrainOptions options = options();
            SparkOptions spark = sparkOptions();
            RunCheckpoint checkpoint = null;
            if (resume != null) {
                Preflight.checkResumeFile(resume);
                checkpoint = RunCheckpoint.load(resume);
                options = resumed(options, checkpoint);
            }
            Preflight.checkOutputDir(options);
            DatasetSetup.ensure(options.dataDir(), environment, err);
            boolean interactive = System.console() != null && System.console().isTerminal();
            int stop = stopAfter == null ? options.epochs() : Math.min(stopAfter, options.epochs());
            new TrainingRun(options, out, err, interactive, spark).run(checkpoint, stop);
            return 0;
        } catch (DatasetSetup.DatasetUnavailableException | IOException | IllegalArgumentException e) {
            err.println("vectorgrad train: " + Preflight.message(e));
            return 1;
        }
    }

    private SparkOptions sparkOptions() {
        if (sparkMaster == null) {
            if (partitions != null) {
                throw new IllegalArgumentException("--partitions only applies with --spark");
            }
            return null;
        }
        return new SparkOptions(sparkMaster, partitions);
    }

    /** The options of a resumed run: the checkpoint's, unless the command line names a different value. */
    TrainOptions resumed(TrainOptions given, RunCheckpoint checkpoint) throws IOException {
        TrainOptions saved;
        try {
            saved = given.withTrajectory(checkpoint.optionsJson());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(checkpoint.contents().file(), e.getMessage(), e);
        }
        List<String> conflicts = new ArrayList<>();
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (String name : TRAJECTORY) {
            if (parsed.hasMatchedOption(name) && !value(given, name).equals(value(saved, name))) {
                conflicts.add(name + " " + value(given, name) + " (the checkpoint has " + value(saved, name) + ")");
            }
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException("--resume " + checkpoint.contents().file() + " continues a run with other"
                    + " settings: " + String.join(", ", conflicts) + "; drop these options or start a new run");
        }
        if (!parsed.hasMatchedOption("--epochs") || given.epochs() == saved.epochs()) {
            return saved;
        }
        if (saved.schedule() == TrainOptions.Schedule.COSINE) {
            throw new IllegalArgumentException("--resume " + checkpoint.contents().file() + ": --epochs " + given.epochs()
                    + " would change the cosine lr schedule the run follows over " + saved.epochs()
                    + " epochs; only a run with --lr-schedule constant can be extended");
        }
        return saved.withEpochs(given.epochs());
    }

    private static String value(TrainOptions o, String option) {
        return switch (option) {
            case "--model" -> o.model().toString();
            case "--batch-size" -> String.valueOf(o.batchSize());
            case "--lr" -> String.valueOf(o.lr());
            case "--lr-schedule" -> o.schedule().toString();
            case "--momentum" -> String.valueOf(o.momentum());
            case "--seed" -> String.valueOf(o.seed());
            case "--limit" -> String.valueOf(o.limit());
            case "--test-limit" -> String.valueOf(o.testLimit());
            default -> throw new IllegalArgumentException(option);
        };
    }
}
