package org.vectorgrad.spark;

import java.io.IOException;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;

/**
 * One worker's epoch inside a long-lived barrier task: rebuild the model and optimizer from the
 * broadcast state, then for every step compute the gradients of its part of the global batch,
 * exchange, and apply the same optimizer step as every other worker.
 */
final class WorkerEpoch {
    /** Opens the gradient exchange (a collective: every worker opens it). */
    @FunctionalInterface
    interface ExchangeOpener {
        AllReduce open() throws IOException;
    }

    private final EpochPlan plan;
    private final int rank;
    private final int world;
    private int step = -1;

    WorkerEpoch(EpochPlan plan, int rank, int world) {
        this.plan = plan;
        this.rank = rank;
        this.world = world;
    }

    /** Runs the epoch; any failure becomes a {@link WorkerFailure} naming this worker and step, reported to the driver. */
    WorkerResult run(ShardView shard, ExchangeOpener opener, DriverLink driver) {
        AllReduce exchange = null;
        try {
            exchange = opener.open();
            return train(shard, exchange, driver);
        } catch (Throwable e) {
            // Reported before the connections close: peers that then lose this worker fail too,
            // and the driver must already know whose failure came first.
            WorkerFailure failure = new WorkerFailure(rank, world, plan.epoch(), step, e);
            driver.failure(failure);
            if (exchange != null) {
                exchange.abort();
            }
            throw failure;
        } finally {
            if (exchange != null) {
                exchange.close();
            }
        }
    }

    private WorkerResult train(ShardView shard, AllReduce exchange, DriverLink driver) throws IOException {
        TrainingConfig config = plan.config();
        Module model = config.model().get();
        model.loadStateDict(StateBytes.decode(plan.start().value().model()));
        model.train();
        Optimizer optimizer = config.optimizer().apply(model.parameters());
        optimizer.loadStateDict(StateBytes.decode(plan.start().value().optimizer()));
        GradientStep gradients = new GradientStep(model, config.loss());
        BatchShares shares = plan.shares(world);
        ShardView readable = exchange.complete(shard, shares, rank);
        int[] order = shares.order();
        int[] sampleShape = config.sampleShape();
        float[] losses = new float[plan.steps()];
        long syncNanos = 0;
        double lossSum = 0;
        int samples = 0;
        for (step = 0; step < losses.length; step++) {
            int from = step * config.batchSize();
            int to = Math.min(order.length, from + config.batchSize());
            gradients.compute(readable.select(shares.of(step, rank), sampleShape), to - from);
            long start = System.nanoTime();
            float[] summed = exchange.sumGradients(gradients, step);
            syncNanos += System.nanoTime() - start;
            losses[step] = gradients.apply(summed, optimizer);
            lossSum += (double) losses[step] * (to - from);
            samples += to - from;
            if (rank == 0) {
                driver.progress(samples, lossSum, step == losses.length - 1);
            }
        }
        RunningStatistics.average(model.namedBuffers(), exchange, losses.length, world);
        long checksum = GradientStep.checksum(model);
        return rank == 0
                ? new WorkerResult(rank, checksum, syncNanos, losses.length, losses,
                        StateBytes.encode(model.stateDict()), StateBytes.encode(optimizer.stateDict()))
                : new WorkerResult(rank, checksum, syncNanos, losses.length, null, null, null);
    }
}
