package org.vectorgrad.spark;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.vectorgrad.Generator;

/**
 * What every worker needs for one epoch: the configuration, the epoch, the data size, where the
 * driver listens, the broadcast starting state (model and optimizer as safetensors bytes), and
 * whether the tasks stay for the driver's next epoch once this one is done.
 */
record EpochPlan(TrainingConfig config, int epoch, int count, String driverAddress, Broadcast<EpochStart> start,
                 boolean keepTasks) implements Serializable {

    /** The same run's epoch {@code next}, for tasks that stayed. */
    EpochPlan withEpoch(int next) {
        return new EpochPlan(config, next, count, driverAddress, start, keepTasks);
    }

    /** The epoch's sample order: {@code torch.randperm(count)} seeded with {@code seed + epoch}, or 0..count-1. */
    int[] order() {
        if (config.shuffle()) {
            return new Generator(config.seed() + epoch).randperm(count);
        }
        int[] identity = new int[count];
        for (int i = 0; i < count; i++) {
            identity[i] = i;
        }
        return identity;
    }

    /** Which samples each of {@code world} workers computes in every step of this epoch. */
    BatchShares shares(int world) {
        return new BatchShares(order(), config.batchSize(), world);
    }

    int steps() {
        return (count + config.batchSize() - 1) / config.batchSize();
    }

    /** The model and optimizer state an epoch starts from. */
    record EpochStart(byte[] model, byte[] optimizer) implements Serializable {
    }
}
