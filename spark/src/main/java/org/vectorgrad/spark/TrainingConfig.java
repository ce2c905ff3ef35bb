package org.vectorgrad.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What a data-parallel run trains and how: the model and optimizer factories, the loss, the
 * GLOBAL batch size (split across the workers every step), the shuffling seed (epoch {@code e}
 * visits {@code torch.randperm(n, generator=manual_seed(seed + e))}, as the single-process
 * {@code DataLoader} does), the shape of one sample as the model takes it (e.g. {@code 784} or
 * {@code 1, 28, 28}), the gradient exchange, and the kernel threads per task (0: the task's
 * {@code spark.task.cpus}).
 */
public record TrainingConfig(ModelFactory model, OptimizerFactory optimizer, LossFunction loss, int batchSize,
                             long seed, boolean shuffle, int[] sampleShape, SyncMode sync, int threadsPerTask)
        implements Serializable {
    public TrainingConfig {
        if (model == null || optimizer == null || loss == null || sync == null) {
            throw new IllegalArgumentException("TrainingConfig: model, optimizer, loss and sync must not be null");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size should be a positive integer, but got batchSize=" + batchSize);
        }
        if (threadsPerTask < 0) {
            throw new IllegalArgumentException("threadsPerTask must be >= 0 (0: spark.task.cpus), got " + threadsPerTask);
        }
        sampleShape = sampleShape.clone();
        for (int d : sampleShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("sample shape must have positive sizes, got "
                        + Arrays.toString(sampleShape));
            }
        }
    }

    /** Cross-entropy, seed 0, shuffled, {@link SyncMode#DIRECT}, threads from {@code spark.task.cpus}. */
    public static TrainingConfig of(ModelFactory model, OptimizerFactory optimizer, int batchSize, int... sampleShape) {
        return new TrainingConfig(model, optimizer, LossFunction.crossEntropy(), batchSize, 0, true, sampleShape,
                SyncMode.DIRECT, 0);
    }

    public TrainingConfig withLoss(LossFunction newLoss) {
        return new TrainingConfig(model, optimizer, newLoss, batchSize, seed, shuffle, sampleShape, sync, threadsPerTask);
    }

    public TrainingConfig withSeed(long newSeed, boolean newShuffle) {
        return new TrainingConfig(model, optimizer, loss, batchSize, newSeed, newShuffle, sampleShape, sync,
                threadsPerTask);
    }

    public TrainingConfig withSync(SyncMode newSync) {
        return new TrainingConfig(model, optimizer, loss, batchSize, seed, shuffle, sampleShape, newSync, threadsPerTask);
    }

    public TrainingConfig withThreadsPerTask(int threads) {
        return new TrainingConfig(model, optimizer, loss, batchSize, seed, shuffle, sampleShape, sync, threads);
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** Elements per sample: the product of the sample shape. */
    public int featureSize() {
        int size = 1;
        for (int d : sampleShape) {
            size = Math.multiplyExact(size, d);
        }
        return size;
    }
}
