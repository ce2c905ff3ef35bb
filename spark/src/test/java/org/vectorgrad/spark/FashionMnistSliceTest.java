package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vectorgrad.Tensor;
import org.vectorgrad.data.DataLoader;
import org.vectorgrad.data.FashionMnist;
import org.vectorgrad.data.ImageDataset;
import org.vectorgrad.nn.Conv2d;
import org.vectorgrad.nn.Flatten;
import org.vectorgrad.nn.Functional;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.MaxPool2d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ParameterVectors;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;
import org.vectorgrad.optim.Optimizer;
import org.vectorgrad.optim.SGD;

/**
 * local[2] training on a slice of the real Fashion-MNIST against the single-process loop the CLI
 * runs ({@link DataLoader}'s shuffled batches of 64, cross-entropy, SGD with momentum 0.9): the
 * same loss at every step and the same weights within float tolerance, and bit for bit the same
 * result when run again.
 *
 * <p>Tolerance: a worker's gradient is the sum over its ~32 samples, scaled by its share, then the
 * two workers' sums are added; one process sums all 64 at once. Both are float32 roundings of the
 * same exact sum, each within a few units in the last place (2^-24 ≈ 6e-8 relative) of the sum of
 * magnitudes, so one step differs by ~1e-7 in the weights; over 16 steps with lr 0.03 and
 * momentum 0.9 they are carried forward, not amplified: we see at most 2.4e-7 in the losses and
 * 4e-8 in the weights (mlp on 1024 images, cnn on 256). 1e-5 bounds that with a wide margin and
 * still catches a real mistake (a wrong share b/B, a sample dropped or counted twice: one sample
 * in 64 is 1.6% of a step's gradient), which moves the losses by orders of magnitude more.
 */
class FashionMnistSliceTest {
    private static final int BATCH = 64;
    private static final long SEED = 0;
    private static final double TOLERANCE = 1e-5;

    static Module build(String kind) {
        Tensor.manualSeed(0);
        return kind.equals("mlp")
                ? new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(),
                        new Linear(128, 10))
                : new Sequential(new Conv2d(1, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2, 2),
                        new Conv2d(16, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2, 2), new Flatten(),
                        new Linear(32 * 7 * 7, 128), new ReLU(), new Linear(128, 10));
    }

    private static DataLoader.InputShape shape(String kind) {
        return kind.equals("mlp") ? DataLoader.InputShape.FLAT : DataLoader.InputShape.IMAGE;
    }

    /** The images normalised by DataLoader, as index-range blocks for {@code partitions} workers. */
    private static TrainingData sparkData(ImageDataset train, String kind, int partitions) {
        DataLoader.Batch all = DataLoader.fashionMnist(train, train.count(), false, 0, shape(kind)).iterator().next();
        float[] x = all.inputs().toArray();
        int size = x.length / train.count();
        List<SampleBlock> blocks = new ArrayList<>();
        for (int from = 0; from < train.count(); from += 100) {
            int to = Math.min(train.count(), from + 100);
            blocks.add(new SampleBlock(from, size, Arrays.copyOfRange(x, from * size, to * size),
                    Arrays.copyOfRange(all.labels(), from, to)));
        }
        return TrainingData.fromBlocks(LocalSpark.context().parallelize(blocks, 3), partitions);
    }

    private static float[] singleProcess(Module model, Optimizer optimizer, ImageDataset train, String kind) {
        DataLoader loader = DataLoader.fashionMnist(train, BATCH, true, SEED, shape(kind));
        float[] losses = new float[loader.batchCount()];
        int step = 0;
        model.train();
        for (Iterator<DataLoader.Batch> it = loader.epoch(0); it.hasNext(); ) {
            DataLoader.Batch batch = it.next();
            Tensor loss = Functional.crossEntropy(model.forward(batch.inputs()), batch.labels());
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
            losses[step++] = loss.item();
        }
        return losses;
    }

    @ParameterizedTest
    @CsvSource({"mlp, 1024", "cnn, 256"})
    void sparkTrainsAsOneProcessDoes(String kind, int count) throws IOException {
        Assumptions.assumeTrue(FashionMnist.isPresent(FashionMnist.DEBIAN_DIR),
                "dataset-fashion-mnist is not installed (.ci/run installs it)");
        ImageDataset train = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TRAIN).head(count);
        Module single = build(kind);
        float[] expected = singleProcess(single, new SGD(single.parameters(), 0.03f, 0.9f), train, kind);

        int[] sampleShape = kind.equals("mlp") ? new int[] {784} : new int[] {1, 28, 28};
        TrainingConfig config = TrainingConfig.of(() -> build(kind), p -> new SGD(p, 0.03f, 0.9f), BATCH, sampleShape)
                .withSeed(SEED, true);
        try (TrainingData data = sparkData(train, kind, 2)) {
            DataParallelTrainer first = new DataParallelTrainer(LocalSpark.context(), config);
            float[] losses = first.trainEpoch(data, 0, StepProgress.NONE).stepLosses();
            assertEquals(expected.length, losses.length);
            for (int s = 0; s < losses.length; s++) {
                assertEquals(expected[s], losses[s], TOLERANCE, kind + " step " + s);
            }
            float[] weights = ParameterVectors.parametersToArray(first.model().parameters());
            float[] reference = ParameterVectors.parametersToArray(single.parameters());
            for (int i = 0; i < weights.length; i++) {
                assertEquals(reference[i], weights[i], TOLERANCE, kind + " weight " + i);
            }
            DataParallelTrainer again = new DataParallelTrainer(LocalSpark.context(), config);
            assertArrayEquals(losses, again.trainEpoch(data, 0, StepProgress.NONE).stepLosses());
            assertArrayEquals(weights, ParameterVectors.parametersToArray(again.model().parameters()));
        }
    }
}
