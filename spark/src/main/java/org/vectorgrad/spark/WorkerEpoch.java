package org.vectorgrad.spark;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;

/**
 * One worker inside a long-lived barrier task: rebuild the model and optimizer from the broadcast
 * state, then for every step compute the gradients of its part of the global batch, exchange, and
 * apply the same optimizer step as every other worker. When the plan keeps the tasks, the worker
 * then sends its result to the driver and waits for the next epoch with its replica, gradient
 * exchange and partition still in place, instead of ending the task.
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
    private int epoch;
    private int step = -1;

    WorkerEpoch(EpochPlan plan, int rank, int world) {
        this.plan = plan;
        this.rank = rank;
        this.world = world;
        this.epoch = plan.epoch();
    }

    /**
     * Runs the plan's epoch, and the later ones the driver asks for while it keeps the tasks; the
     * task's result, or null when the results went to the driver's channel. Any failure becomes a
     * {@link WorkerFailure} naming this worker, epoch and step, reported to the driver.
     */
    WorkerResult run(ShardView shard, ExchangeOpener opener, DriverLink driver, BooleanSupplier killed) {
        AllReduce exchange = null;
        try {
            exchange = opener.open();
            return trainEpochs(shard, exchange, driver, killed);
        } catch (Throwable e) {
            // Reported before the connections close: peers that then lose this worker fail too,
            // and the driver must already know whose failure came first.
            WorkerFailure failure = new WorkerFailure(rank, world, epoch, step, e);
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

    private WorkerResult trainEpochs(ShardView shard, AllReduce exchange, DriverLink driver, BooleanSupplier killed)
            throws IOException {
        TrainingConfig config = plan.config();
        Module model = config.model().get();
        model.loadStateDict(StateBytes.decode(plan.start().value().model()));
        model.train();
        Optimizer optimizer = config.optimizer().apply(model.parameters());
        optimizer.loadStateDict(StateBytes.decode(plan.start().value().optimizer()));
        GradientStep gradients = new GradientStep(model, config.loss());
        boolean kept = plan.keepTasks() && driver.reachesDriverWithPeers(world);
        EpochPlan current = plan;
        while (true) {
            WorkerResult result = train(current, shard, exchange, driver, model, gradients, optimizer);
            if (!kept) {
                return result;
            }
            driver.result(result);
            step = -1;
            DriverLink.NextEpoch next = driver.awaitNext(killed);
            if (next == null) {
                return null;
            }
            epoch = next.epoch();
            // The driver sends state only where its own differs from what the workers hold
            // (it stepped a schedule, or changed the model): load it as a new job would.
            if (next.model() != null) {
                model.loadStateDict(StateBytes.decode(next.model()));
            }
            if (next.optimizer() != null) {
                optimizer.loadStateDict(StateBytes.decode(next.optimizer()));
            }
            current = plan.withEpoch(epoch);
        }
    }

    private WorkerResult train(EpochPlan current, ShardView shard, AllReduce exchange, DriverLink driver,
                               Module model, GradientStep gradients, Optimizer optimizer) throws IOException {
        TrainingConfig config = current.config();
        BatchShares shares = current.shares(world);
        ShardView readable = exchange.complete(shard, shares, rank);
        int[] order = shares.order();
        int[] sampleShape = config.sampleShape();
        float[] losses = new float[current.steps()];
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
                ? new WorkerResult(rank, epoch, checksum, syncNanos, losses.length, losses,
                        StateBytes.encode(model.stateDict()), StateBytes.encode(optimizer.stateDict()))
                : new WorkerResult(rank, epoch, checksum, syncNanos, losses.length, null, null, null);
    }
}
