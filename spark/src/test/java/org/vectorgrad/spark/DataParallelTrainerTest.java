package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vectorgrad.Generator;
import org.vectorgrad.nn.BatchNorm1d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ParameterVectors;
import org.vectorgrad.nn.Sequential;
import org.vectorgrad.optim.AdamW;
import org.vectorgrad.optim.Optimizer;
import org.vectorgrad.optim.SGD;

/**
 * Data-parallel training on local[2] against single-process training at the same global batch,
 * and against itself: reruns and all three gradient exchanges give the same bits.
 */
class DataParallelTrainerTest {
    private static final int FEATURES = 20;
    private static final int BATCH = 64;
    private static final long SHUFFLE_SEED = 5;
    private static final int EPOCHS = 2;
    private static Synthetic data;
    private static TrainingData prepared;

    @BeforeAll
    static void prepare() {
        // 600 = 9 full batches and one of 24; source blocks of 50 in 3 slices, cut into 2 ranges.
        data = Synthetic.make(600, FEATURES, 7);
        prepared = TrainingData.fromBlocks(data.blocks(LocalSpark.context(), 50, 3), 2);
    }

    @AfterAll
    static void release() {
        if (prepared != null) {
            prepared.close();
        }
    }

    private static TrainingConfig sgd(SyncMode sync) {
        return TrainingConfig.of(() -> Synthetic.mlp(FEATURES, 11), p -> new SGD(p, 0.1f, 0.9f), BATCH, FEATURES)
                .withSeed(SHUFFLE_SEED, true).withSync(sync);
    }

    /** Step losses of every epoch, then the final parameters, of a Spark run. */
    private static Run spark(TrainingConfig config) {
        DataParallelTrainer trainer = new DataParallelTrainer(LocalSpark.context(), config);
        List<float[]> losses = new ArrayList<>();
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            losses.add(trainer.trainEpoch(prepared, epoch, StepProgress.NONE).stepLosses());
        }
        return new Run(losses, ParameterVectors.parametersToArray(trainer.model().parameters()));
    }

    private static Run single(TrainingConfig config) {
        Module model = config.model().get();
        Optimizer optimizer = config.optimizer().apply(model.parameters());
        List<float[]> losses = new ArrayList<>();
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            losses.add(SingleProcess.epoch(model, optimizer, data, BATCH, SHUFFLE_SEED, epoch));
        }
        return new Run(losses, ParameterVectors.parametersToArray(model.parameters()));
    }

    record Run(List<float[]> losses, float[] parameters) {
        double maxLossDifference(Run other) {
            double max = 0;
            for (int e = 0; e < losses.size(); e++) {
                for (int s = 0; s < losses.get(e).length; s++) {
                    max = Math.max(max, Math.abs(losses.get(e)[s] - other.losses.get(e)[s]));
                }
            }
            return max;
        }

        double maxParameterDifference(Run other) {
            double max = 0;
            for (int i = 0; i < parameters.length; i++) {
                max = Math.max(max, Math.abs(parameters[i] - other.parameters[i]));
            }
            return max;
        }
    }

    /**
     * Within 1e-5: the two processes round the same exact sums differently (per worker, then
     * across workers, instead of all rows at once), a few float32 ulps per step; we see 1.2e-7 in
     * the losses and 1.8e-7 in the weights after 20 steps (6e-8 with AdamW). A real mistake (a
     * share scaled wrongly, a sample dropped or counted twice) moves them by orders of magnitude more.
     */
    @Test
    void equalsSingleProcessTrainingAtTheSameGlobalBatch() {
        Run spark = spark(sgd(SyncMode.DIRECT));
        Run single = single(sgd(SyncMode.DIRECT));
        assertTrue(spark.maxLossDifference(single) < 1e-5);
        assertTrue(spark.maxParameterDifference(single) < 1e-5);
    }

    @Test
    void adamWEqualsSingleProcessToo() {
        TrainingConfig sgd = sgd(SyncMode.DIRECT);
        TrainingConfig adamW = new TrainingConfig(sgd.model(), p -> new AdamW(p, 0.01f, 0.01f), sgd.loss(), BATCH,
                SHUFFLE_SEED, true, new int[] {FEATURES}, SyncMode.DIRECT, 0);
        Run spark = spark(adamW);
        Run single = single(adamW);
        assertTrue(spark.maxLossDifference(single) < 1e-5);
        assertTrue(spark.maxParameterDifference(single) < 1e-5);
    }

    /**
     * One epoch of four steps on 200 samples: allGather costs about a second per step (Spark's
     * barrier client polls its reply once a second), so the comparison is kept short.
     */
    @Test
    void rerunsAndEveryExchangeGiveTheSameBits() {
        try (TrainingData small = TrainingData.fromBlocks(Synthetic.make(200, FEATURES, 8)
                .blocks(LocalSpark.context(), 30, 2), 2)) {
            Run first = oneEpoch(sgd(SyncMode.DIRECT), small);
            assertEquals(4, first.losses().getFirst().length);
            for (SyncMode mode : SyncMode.values()) {
                Run again = oneEpoch(sgd(mode), small);
                assertArrayEquals(first.losses().getFirst(), again.losses().getFirst(), mode.toString());
                assertArrayEquals(first.parameters(), again.parameters(), mode.toString());
            }
        }
    }

    /** A DataFrame (vector column, double labels) and an RDD of samples give the blocks' training, bit for bit. */
    @Test
    void rowsAndSamplesTrainAsBlocksDo() {
        Synthetic small = Synthetic.make(200, FEATURES, 8);
        List<Row> rows = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < small.count(); i++) {
            float[] x = Arrays.copyOfRange(small.features(), i * FEATURES, (i + 1) * FEATURES);
            double[] wide = new double[FEATURES];
            for (int f = 0; f < FEATURES; f++) {
                wide[f] = x[f];
            }
            rows.add(RowFactory.create((double) small.labels()[i], Vectors.dense(wide)));
            samples.add(new Sample(x, small.labels()[i]));
        }
        StructType schema = new StructType().add("label", DataTypes.DoubleType)
                .add("features", SQLDataTypes.VectorType());
        Dataset<Row> frame = LocalSpark.session().createDataFrame(rows, schema);
        try (TrainingData blocks = TrainingData.fromBlocks(small.blocks(LocalSpark.context(), 30, 2), 2);
             TrainingData fromRows = TrainingData.fromRows(frame, "label", 2, "features");
             TrainingData fromSamples = TrainingData.fromSamples(LocalSpark.context().parallelize(samples, 4), 2)) {
            Run expected = oneEpoch(sgd(SyncMode.DIRECT), blocks);
            assertArrayEquals(expected.parameters(), oneEpoch(sgd(SyncMode.DIRECT), fromSamples).parameters());
            assertArrayEquals(expected.parameters(), oneEpoch(sgd(SyncMode.DIRECT), fromRows).parameters());
            assertEquals(200, fromRows.count());
            assertEquals(FEATURES, fromRows.featureSize());
        }
    }

    /** local[2] has two task slots: three barrier workers cannot run; the per-step fallback can. */
    @Test
    void moreWorkersThanSlotsNeedTheFallback() {
        try (TrainingData three = TrainingData.fromBlocks(data.blocks(LocalSpark.context(), 50, 3), 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> oneEpoch(sgd(SyncMode.DIRECT), three));
            assertEquals("3 partitions need 3 concurrent barrier tasks but master local[2] runs 2 at a time"
                    + " (spark.task.cpus=1); use fewer partitions or more cores", e.getMessage());
            Run fallback = oneEpoch(sgd(SyncMode.JOB_PER_STEP), three);
            Module model = sgd(SyncMode.DIRECT).model().get();
            float[] expected = SingleProcess.epoch(model, new SGD(model.parameters(), 0.1f, 0.9f), data, BATCH,
                    SHUFFLE_SEED, 0);
            for (int step = 0; step < expected.length; step++) {
                assertEquals(expected[step], fallback.losses().getFirst()[step], 1e-5, "step " + step);
            }
        }
    }

    /**
     * BatchNorm on the inputs: its running statistics depend on the data alone, so the average over
     * the workers of each one's running mean and variance (each from its own rows of every step,
     * momentum 0.1) can be computed here in double. Worker 0's statistics alone miss by far more.
     */
    @ParameterizedTest
    @EnumSource(value = SyncMode.class, names = {"DIRECT", "JOB_PER_STEP"})
    void runningStatisticsAreAveragedOverTheWorkers(SyncMode sync) {
        TrainingConfig config = TrainingConfig.of(
                () -> new Sequential(new BatchNorm1d(FEATURES), Synthetic.mlp(FEATURES, 11)),
                p -> new SGD(p, 0.1f, 0.9f), BATCH, FEATURES).withSeed(SHUFFLE_SEED, true).withSync(sync);
        DataParallelTrainer trainer = new DataParallelTrainer(LocalSpark.context(), config);
        trainer.trainEpoch(prepared, 0, StepProgress.NONE);
        double[][] expected = averagedRunningStatistics(new Generator(SHUFFLE_SEED).randperm(data.count()), 2);
        float[] mean = trainer.model().namedBuffers().get("0.running_mean").toArray();
        float[] variance = trainer.model().namedBuffers().get("0.running_var").toArray();
        for (int f = 0; f < FEATURES; f++) {
            assertEquals(expected[0][f], mean[f], 1e-5, "running_mean " + f);
            assertEquals(expected[1][f], variance[f], 1e-5, "running_var " + f);
        }
        assertEquals(10f, trainer.model().namedBuffers().get("0.num_batches_tracked").item());
    }

    /** Per feature: the workers' mean running mean and running variance after one epoch in {@code order}. */
    private static double[][] averagedRunningStatistics(int[] order, int workers) {
        double[][] average = new double[2][FEATURES];
        for (int w = 0; w < workers; w++) {
            double[] mean = new double[FEATURES];
            double[] variance = new double[FEATURES];
            Arrays.fill(variance, 1);
            for (int from = 0; from < order.length; from += BATCH) {
                // Worker w's share: the w-th of equal consecutive parts of the batch, as DistributedSampler deals.
                int size = Math.min(order.length, from + BATCH) - from;
                int[] rows = Arrays.copyOfRange(order, from + w * size / workers, from + (w + 1) * size / workers);
                for (int f = 0; f < FEATURES; f++) {
                    double sum = 0;
                    double squares = 0;
                    for (int i : rows) {
                        double x = data.features()[i * FEATURES + f];
                        sum += x;
                        squares += x * x;
                    }
                    double batchMean = sum / rows.length;
                    double unbiased = (squares - rows.length * batchMean * batchMean) / (rows.length - 1);
                    mean[f] = 0.9 * mean[f] + 0.1 * batchMean;
                    variance[f] = 0.9 * variance[f] + 0.1 * unbiased;
                }
            }
            for (int f = 0; f < FEATURES; f++) {
                average[0][f] += mean[f] / workers;
                average[1][f] += variance[f] / workers;
            }
        }
        return average;
    }

    private static Run oneEpoch(TrainingConfig config, TrainingData data) {
        DataParallelTrainer trainer = new DataParallelTrainer(LocalSpark.context(), config);
        float[] losses = trainer.trainEpoch(data, 0, StepProgress.NONE).stepLosses();
        return new Run(List.of(losses), ParameterVectors.parametersToArray(trainer.model().parameters()));
    }
}
