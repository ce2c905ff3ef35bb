package org.vectorgrad.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.vectorgrad.io.Checkpoint;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;

/**
 * Synchronous data-parallel training on Spark. The driver holds the model and optimizer; each
 * epoch it broadcasts their state and runs ONE barrier job whose tasks (one per partition of the
 * {@link TrainingData}) live for the whole epoch: every step each computes the gradients of its
 * samples of the global batch, the gradients are summed in worker order ({@link SyncMode}), and
 * every worker applies the same optimizer step. At the end the driver adopts the (identical)
 * state of worker 0. Sample order, batches and the update equal single-process training at the
 * same global batch; only the grouping of floating-point sums differs.
 *
 * <p>The driver's model and optimizer are ordinary objects between epochs: step a learning-rate
 * scheduler on {@link #optimizer()}, evaluate {@link #model()}, save checkpoints.
 *
 * <p>With {@link #keepTasksBetweenEpochs} the barrier tasks outlive their epoch and train the
 * next one too, which saves a Spark job and the workers' set-up per epoch (about 0.1 s here). They
 * hold their slots meanwhile: {@link #close()} (or the keep time passing without a new epoch)
 * releases them. Whatever the driver changed in between (its schedule's learning rate, weights)
 * is sent to them, so results are those of one job per epoch, bit for bit.
 */
public final class DataParallelTrainer implements AutoCloseable {
    private static final String EPOCH_KEY = "epoch";

    private final JavaSparkContext sc;
    private final TrainingConfig config;
    private final Module model;
    private final Optimizer optimizer;
    private Duration keep = Duration.ZERO;
    private EpochJob tasks;

    /** Trains {@code model} with {@code optimizer} (built on the driver by the caller, e.g. from a checkpoint). */
    public DataParallelTrainer(JavaSparkContext sc, TrainingConfig config, Module model, Optimizer optimizer) {
        this.sc = sc;
        this.config = config;
        this.model = model;
        this.optimizer = optimizer;
    }

    /** Trains a model built by the config's factory, with the config's optimizer. */
    public DataParallelTrainer(JavaSparkContext sc, TrainingConfig config) {
        this(sc, config, config.model().get());
    }

    private DataParallelTrainer(JavaSparkContext sc, TrainingConfig config, Module model) {
        this(sc, config, model, config.optimizer().apply(model.parameters()));
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Keeps the barrier tasks after an epoch, for up to {@code maxIdle}, to train the next one
     * (zero, the default: every epoch is its own Spark job). Other Spark jobs that need the
     * tasks' slots wait while they are kept: close the trainer, or keep them briefly.
     */
    public DataParallelTrainer keepTasksBetweenEpochs(Duration maxIdle) {
        if (maxIdle.isNegative()) {
            throw new IllegalArgumentException("keepTasksBetweenEpochs: maxIdle must not be negative, got " + maxIdle);
        }
        keep = maxIdle;
        return this;
    }

    /** Trains epoch {@code epoch} (0-based: it seeds the epoch's shuffle) over {@code data}. */
    public EpochStats trainEpoch(TrainingData data, int epoch, StepProgress progress) {
        if (data.featureSize() != config.featureSize()) {
            throw new IllegalArgumentException("samples have " + data.featureSize() + " features but the sample shape "
                    + java.util.Arrays.toString(config.sampleShape()) + " needs " + config.featureSize());
        }
        if (config.sync() == SyncMode.JOB_PER_STEP) {
            return PerStepJobs.run(sc, data, config, model, optimizer, epoch, progress);
        }
        checkSlots(data.partitions());
        try {
            EpochStats stats = tasks != null && tasks.waitsFor(data) ? tasks.next(epoch, model, optimizer, progress) : null;
            if (stats == null) {
                close();
                tasks = EpochJob.start(sc, data, config, model, optimizer, epoch, keep.toMillis());
                stats = tasks.first(model, optimizer, progress);
            }
            if (!tasks.waitsFor(data)) {
                close();
            }
            return stats;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Releases tasks kept between epochs (waiting for their job to end); nothing to do otherwise. */
    @Override
    public void close() {
        if (tasks != null) {
            EpochJob ending = tasks;
            tasks = null;
            ending.close();
        }
    }

    /**
     * Trains until {@code epochs} epochs are done. With a {@code checkpoint} file, a finished epoch
     * is saved there (atomically, with core's {@link Checkpoint}) and an existing file is resumed:
     * its model, optimizer state and epoch count are loaded first. {@code afterEpoch} runs before
     * each save (step a scheduler there); kept tasks wait meanwhile, and are released at the end.
     */
    public List<EpochStats> fit(TrainingData data, int epochs, Path checkpoint, Consumer<EpochStats> afterEpoch)
            throws IOException {
        int done = 0;
        if (checkpoint != null && Files.exists(checkpoint)) {
            Checkpoint.Contents saved = Checkpoint.load(checkpoint);
            Checkpoint.checkMatches(checkpoint, "model", saved.model(), model.stateDict());
            optimizer.loadStateDict(saved.optimizer());
            model.loadStateDict(saved.model());
            done = Integer.parseInt(saved.require(EPOCH_KEY));
        }
        List<EpochStats> history = new ArrayList<>();
        try {
            for (int epoch = done; epoch < epochs; epoch++) {
                EpochStats stats = trainEpoch(data, epoch, StepProgress.NONE);
                afterEpoch.accept(stats);
                if (checkpoint != null) {
                    Checkpoint.save(checkpoint, model.stateDict(), optimizer.stateDict(),
                            Map.of(EPOCH_KEY, String.valueOf(epoch + 1)));
                }
                history.add(stats);
            }
        } finally {
            close();
        }
        return history;
    }

    // Barrier stages need a slot for every task at once. Local masters can be checked here; on a
    // cluster Spark itself refuses (after spark.scheduler.barrier.maxConcurrentTasksCheck retries).
    private void checkSlots(int partitions) {
        String master = sc.master();
        int taskCpus = sc.getConf().getInt("spark.task.cpus", 1);
        if (master.startsWith("local") && !master.startsWith("local-cluster")
                && partitions > sc.defaultParallelism() / taskCpus) {
            throw new IllegalArgumentException(partitions + " partitions need " + partitions
                    + " concurrent barrier tasks but master " + master + " runs " + sc.defaultParallelism() / taskCpus
                    + " at a time (spark.task.cpus=" + taskCpus + "); use fewer partitions or more cores");
        }
    }
}
