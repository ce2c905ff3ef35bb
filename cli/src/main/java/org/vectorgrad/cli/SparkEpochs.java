package org.vectorgrad.cli;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.vectorgrad.data.DataLoader;
import org.vectorgrad.data.ImageDataset;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;
import org.vectorgrad.optim.SGD;
import org.vectorgrad.spark.DataParallelTrainer;
import org.vectorgrad.spark.EpochStats;
import org.vectorgrad.spark.LossFunction;
import org.vectorgrad.spark.ModelFactory;
import org.vectorgrad.spark.OptimizerFactory;
import org.vectorgrad.spark.SyncMode;
import org.vectorgrad.spark.TrainingConfig;
import org.vectorgrad.spark.TrainingData;

/**
 * {@code train --spark}: the same run on Spark. The driver keeps the model, optimizer, schedule,
 * checkpoints and test evaluation exactly as {@link TrainingRun} does; the epochs are trained by
 * one data-parallel barrier job ({@link DataParallelTrainer}) whose tasks wait between epochs,
 * over the images cut into {@code --partitions} index ranges. Loaded by name from {@link EpochRunner#spark}.
 */
final class SparkEpochs implements EpochRunner.SparkFactory, EpochRunner {
    private static final Duration KEEP_TASKS = Duration.ofMinutes(2);
    private JavaSparkContext sc;
    private TrainingData data;
    private DataParallelTrainer trainer;
    private Trainer evaluator;
    private DataLoader test;

    public SparkEpochs() {
    }

    @Override
    public EpochRunner create(TrainOptions options, SparkOptions spark, ImageDataset train, DataLoader testLoader,
                              Module model, Optimizer optimizer, PrintStream out) {
        sc = new JavaSparkContext(conf(spark.master()));
        try {
            int taskCpus = sc.getConf().getInt("spark.task.cpus", 1);
            int partitions = spark.partitions() != null ? spark.partitions() : Math.max(1, sc.defaultParallelism() / taskCpus);
            data = blocks(sc, train, partitions, options.model().inputShape());
            // The tasks wait for the next epoch while the driver evaluates and saves: no job per epoch.
            trainer = new DataParallelTrainer(sc, config(options), model, optimizer).keepTasksBetweenEpochs(KEEP_TASKS);
            evaluator = new Trainer(model, optimizer);
            test = testLoader;
            out.printf(Locale.ROOT, "Spark %s: %d data-parallel workers, %d kernel thread(s) each, gradients summed"
                    + " every step%n", spark.master(), partitions, taskCpus);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static SparkConf conf(String master) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("vectorgrad train");
        if (master.startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
        } else {
            // Executors need the classes the tasks run: the cli jar (with core) and vectorgrad-spark's.
            conf.setJars(jarsOf(SparkEpochs.class, DataParallelTrainer.class).toArray(new String[0]));
        }
        return conf;
    }

    private static List<String> jarsOf(Class<?>... classes) {
        Set<String> jars = new LinkedHashSet<>();
        for (Class<?> c : classes) {
            try {
                Path location = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (location.toString().endsWith(".jar")) {
                    jars.add(location.toString());
                }
            } catch (URISyntaxException | RuntimeException ignored) {
                // not from a jar (tests run from class directories): nothing to ship
            }
        }
        return new ArrayList<>(jars);
    }

    private static TrainingConfig config(TrainOptions options) {
        ModelKind kind = options.model();
        float lr = options.lr();
        float momentum = options.momentum();
        int[] shape = switch (kind.inputShape()) {
            case FLAT -> new int[] {784};
            case IMAGE -> new int[] {1, 28, 28};
            case IMAGE_RGB -> new int[] {3, 28, 28};
        };
        // The workers' lr is the driver optimizer's (its state travels every epoch), so the schedule holds.
        return new TrainingConfig((ModelFactory) kind::build, (OptimizerFactory) p -> new SGD(p, lr, momentum),
                LossFunction.crossEntropy(), options.batchSize(), options.seed(), true, shape, SyncMode.DIRECT, 0);
    }

    /**
     * The images as {@code partitions} index ranges: the bytes travel once per executor as a
     * broadcast (tasks stay small), each partition normalises its range into a block; once the
     * blocks are cached the broadcast is dropped.
     */
    private static TrainingData blocks(JavaSparkContext sc, ImageDataset train, int partitions,
                                       DataLoader.InputShape shape) {
        Broadcast<ImageChunk> images = sc.broadcast(ImageChunk.of(train, 0, train.count(), shape));
        List<int[]> ranges = new ArrayList<>();
        long n = train.count();
        for (int p = 0; p < partitions; p++) {
            ranges.add(new int[] {(int) (n * p / partitions), (int) (n * (p + 1) / partitions)});
        }
        try {
            return TrainingData.fromBlocks(sc.parallelize(ranges, partitions)
                    .map(r -> images.value().range(r[0], r[1]).toBlock()), partitions);
        } finally {
            images.destroy();
        }
    }

    @Override
    public EpochResult trainEpoch(int epoch, Trainer.Progress progress) {
        EpochStats stats = trainer.trainEpoch(data, epoch, progress::update);
        return new EpochResult(epoch + 1, stats.meanLoss(), evaluator.accuracy(test), stats.seconds(),
                stats.samples() / stats.seconds());
    }

    /** Releases the kept tasks, then stops Spark (which drops the cached blocks too). */
    @Override
    public void close() {
        try {
            if (trainer != null) {
                trainer.close();
            }
        } finally {
            if (sc != null) {
                sc.stop();
            }
        }
    }
}
