package org.vectorgrad.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.vectorgrad.Parallelism;
import org.vectorgrad.Tensor;
import org.vectorgrad.data.DataLoader;
import org.vectorgrad.data.FashionMnist;
import org.vectorgrad.data.ImageDataset;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.CosineAnnealingLR;
import org.vectorgrad.optim.LRScheduler;
import org.vectorgrad.optim.Optimizer;
import org.vectorgrad.optim.SGD;

/**
 * One {@code vectorgrad train} run: builds the model from the seed, optionally resumes a
 * checkpoint, then trains epoch by epoch, saving the checkpoint, the history CSV and the curves
 * PNG after each epoch (so an interrupted run can be resumed from its last finished epoch).
 */
final class TrainingRun {
    /**
     * Test images per evaluation batch. With 1,000, a batch's activations (50 MB for the CNN's
     * first layer alone) outgrew the launcher's young generation's survivor spaces, so each
     * collection during evaluation promoted ~100 MB into the old generation: 25 pauses of
     * 170-330 ms, 6.2 s of a 37 s five-epoch run, the heap at 2.8 GB. With 100 the live set
     * stays young (same accuracies to the last digit; GC pauses of a two-epoch run 1.1-1.6 s ->
     * 0.2-0.4 s).
     */
    private static final int EVAL_BATCH = 100;

    private final TrainOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean interactive;
    private final SparkOptions spark;

    TrainingRun(TrainOptions options, PrintStream out, PrintStream err, boolean interactive) {
        this(options, out, err, interactive, null);
    }

    /** With {@code spark} not null, each epoch trains on Spark ({@link SparkEpochs}); the rest is the same. */
    TrainingRun(TrainOptions options, PrintStream out, PrintStream err, boolean interactive, SparkOptions spark) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        this.spark = spark;
    }

    /** The model and its optimizer and schedule, as built from the seed or restored. */
    private record State(Module model, Optimizer optimizer, LRScheduler schedule, TrainingHistory history) {
    }

    /**
     * Trains until {@code stopAfter} of the planned {@code options.epochs()} epochs are done,
     * continuing {@code resume} when it is not null.
     */
    TrainingHistory run(RunCheckpoint resume, int stopAfter) throws IOException {
        Parallelism.setThreads(options.threads());
        ImageDataset train = FashionMnist.load(options.dataDir(), FashionMnist.Split.TRAIN).head(options.limit());
        ImageDataset test = FashionMnist.load(options.dataDir(), FashionMnist.Split.TEST).head(options.testLimit());
        DataLoader trainLoader = DataLoader.fashionMnist(train, options.batchSize(), true, options.seed(),
                options.model().inputShape());
        DataLoader testLoader = DataLoader.fashionMnist(test, EVAL_BATCH, false, 0, options.model().inputShape());
        State state = initialState(resume);
        out.printf(Locale.ROOT, "Training %s on %d Fashion-MNIST images (%d test): %s%n", options.model(),
                train.count(), test.count(), options.describe());
        long start = System.nanoTime();
        int done = state.history().size();
        if (done < stopAfter) {
            try (EpochRunner runner = spark == null
                    ? EpochRunner.local(new Trainer(state.model(), state.optimizer()), trainLoader, testLoader)
                    : EpochRunner.spark(options, spark, train, testLoader, state.model(), state.optimizer(), out)) {
                train(runner, state, train.count(), stopAfter);
            }
        }
        if (state.history().size() == done) {
            // Files are written after each epoch: none ran, so none of them is this run's.
            out.printf(Locale.ROOT, "Nothing to train: the checkpoint already has %d of %d epochs%s; no files written%n",
                    done, options.epochs(), stopAfter < options.epochs() ? " (--stop-after " + stopAfter + ")" : "");
        } else {
            out.printf(Locale.ROOT, "Done in %.1f s. Checkpoint %s, history %s, curves %s%n",
                    (System.nanoTime() - start) / 1e9, options.checkpointFile(), options.historyFile(), options.plotFile());
        }
        return state.history();
    }

    private void train(EpochRunner runner, State state, int samples, int stopAfter) throws IOException {
        for (int epoch = state.history().size(); epoch < stopAfter; epoch++) {
            EpochResult result;
            try (ProgressBar bar = progressBar(epoch, samples)) {
                result = runner.trainEpoch(epoch, (done, loss, nanos) -> {
                    bar.stepTo(done);
                    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f, %.0f samples/s", loss, done / (nanos / 1e9)));
                });
            }
            state.history().add(result);
            if (state.schedule() != null) {
                state.schedule().step();
            }
            out.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f, test accuracy %.2f%%, %.1f s, %.0f samples/s%n",
                    result.epoch(), options.epochs(), result.trainLoss(), 100 * result.testAccuracy(), result.seconds(),
                    result.samplesPerSecond());
            save(state);
        }
    }

    private State initialState(RunCheckpoint resume) throws IOException {
        Tensor.manualSeed(options.seed());
        Module model = options.model().build();
        Optimizer optimizer = new SGD(model.parameters(), options.lr(), options.momentum());
        LRScheduler schedule = options.schedule() == TrainOptions.Schedule.COSINE
                ? new CosineAnnealingLR(optimizer, options.epochs()) : null;
        if (resume == null) {
            return new State(model, optimizer, schedule, new TrainingHistory());
        }
        // Replaying the finished epochs' steps puts the scheduler where the interrupted run left
        // it; the restored optimizer state then carries that run's exact lr.
        for (int e = 0; schedule != null && e < resume.epoch(); e++) {
            schedule.step();
        }
        resume.restore(model, optimizer);
        out.printf(Locale.ROOT, "Resuming %s after epoch %d%n", resume.contents().file(), resume.epoch());
        return new State(model, optimizer, schedule, resume.history());
    }

    private void save(State state) throws IOException {
        RunCheckpoint.save(options.checkpointFile(), state.model(), state.optimizer(), state.history(), options);
        state.history().writeCsv(options.historyFile());
        TrainingPlot.writePng(options.plotFile(), "Vectorgrad " + options.model() + " on Fashion-MNIST", state.history());
    }

    private ProgressBar progressBar(int epoch, int samples) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, options.epochs()))
                .setInitialMax(samples).setUnit(" samples", 1).setStyle(ProgressBarStyle.ASCII);
        if (!interactive) {
            // Not a terminal (CI logs, pipes): an occasional full line instead of carriage-return redraws.
            builder.setConsumer(new DelegatingProgressBarConsumer(err::println, 120)).setUpdateIntervalMillis(30_000);
        }
        return builder.build();
    }
}
