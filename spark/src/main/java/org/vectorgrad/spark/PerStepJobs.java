package org.vectorgrad.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ParameterVectors;
import org.vectorgrad.optim.Optimizer;
import scala.Tuple2;

/**
 * The fallback where barrier mode is unavailable ({@link SyncMode#JOB_PER_STEP}): every step is a
 * Spark job; its tasks load the driver's current weights (broadcast), compute their share of the
 * batch's gradients exactly as a barrier worker does, and return them; the driver adds them in
 * partition order (the same sums, so the same numbers) and steps its optimizer. Tasks cannot talk
 * to each other, so at the start of an epoch a shuffle moves every sample to the partition whose
 * worker computes it ({@link BatchShares}), and every step's tasks read that cached regrouping. Buffers (BatchNorm
 * running statistics) travel with the weights and come back updated; the driver averages them
 * ({@link RunningStatistics}).
 */
final class PerStepJobs {
    private PerStepJobs() {
    }

    static EpochStats run(JavaSparkContext sc, TrainingData data, TrainingConfig config, Module model,
                          Optimizer optimizer, int epoch, StepProgress progress) {
        EpochPlan plan = new EpochPlan(config, epoch, data.count(), null, null, false);
        int[] order = plan.order();
        JavaRDD<SampleBlock> shares = byShare(data, plan);
        try {
            return run(sc, shares, model, optimizer, plan, order, progress);
        } finally {
            shares.unpersist(false);
        }
    }

    /** The data regrouped for this epoch: partition k holds every sample worker k computes, cached. */
    private static JavaRDD<SampleBlock> byShare(TrainingData data, EpochPlan plan) {
        int workers = data.partitions();
        JavaRDD<SampleBlock> shares = RangePartitions.moved(data.blocks().mapPartitionsToPair(blocks -> {
            int[] worker = plan.shares(workers).workerOfEveryIndex();
            List<Tuple2<Integer, SampleBlock>> runs = new ArrayList<>();
            blocks.forEachRemaining(block -> runs.addAll(RangePartitions.runs(block, index -> worker[(int) index])));
            return runs.iterator();
        }), workers);
        return shares.persist(StorageLevel.MEMORY_AND_DISK());
    }

    private static EpochStats run(JavaSparkContext sc, JavaRDD<SampleBlock> shares, Module model,
                                  Optimizer optimizer, EpochPlan plan, int[] order, StepProgress progress) {
        int batchSize = plan.config().batchSize();
        String run = UUID.randomUUID().toString();
        List<Tensor> params = model.parameters();
        model.train();
        float[] losses = new float[plan.steps()];
        double lossSum = 0;
        long began = System.nanoTime();
        for (int step = 0; step < losses.length; step++) {
            int from = step * batchSize;
            int to = Math.min(order.length, from + batchSize);
            float[] sum = step(sc, shares, plan, run, step, Arrays.copyOfRange(order, from, to),
                    new float[][] {ParameterVectors.parametersToArray(params),
                            RunningStatistics.of(model.namedBuffers())}, model);
            ParameterVectors.gradientsFromArray(sum, params);
            optimizer.step();
            losses[step] = sum[sum.length - 1];
            lossSum += (double) losses[step] * (to - from);
            progress.update(to, lossSum / to, System.nanoTime() - began);
        }
        return EpochJob.stats(plan, losses, (System.nanoTime() - began) / 1e9, shares.getNumPartitions(), Double.NaN);
    }

    // Returns the summed gradients (and weighted loss); the model's buffers become the workers' average.
    private static float[] step(JavaSparkContext sc, JavaRDD<SampleBlock> shares, EpochPlan plan, String run,
                                int step, int[] batch, float[][] state, Module model) {
        Broadcast<float[][]> shared = sc.broadcast(state);
        int workers = shares.getNumPartitions();
        try {
            List<float[][]> parts = shares.mapPartitionsWithIndex(
                    (rank, blocks) -> List.<float[][]>of(shard(plan, run, step, batch, shared.value(), rank, workers,
                            blocks)).iterator(), false).collect();
            float[][] gradients = parts.stream().map(p -> p[0]).toArray(float[][]::new);
            AllReduce.addInOrder(gradients, new int[workers], gradients[0].length, gradients[0], 0);
            RunningStatistics.combine(model.namedBuffers(), parts.stream().map(p -> p[1]).toList());
            return gradients[0];
        } catch (Exception e) { // SparkException is checked, though Scala does not declare it
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof WorkerFailure failure) {
                    throw failure;
                }
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("a training step's job failed: " + e, e);
        } finally {
            shared.destroy();
        }
    }

    // One partition's share of one step, on an executor.
    private static float[][] shard(EpochPlan plan, String run, int step, int[] batch, float[][] state, int rank,
                                   int workers, Iterator<SampleBlock> blocks) {
        TrainingConfig config = plan.config();
        try {
            ShardView shard = ShardView.of(blocks, config.featureSize());
            Module model = ModelCache.get(run + "/" + rank, () -> config.model().get().train());
            return KernelThreads.call(KernelThreads.forTask(config.threadsPerTask()), () -> {
                ParameterVectors.arrayToParameters(state[0], model.parameters());
                ParameterVectors.arrayToParameters(state[1], List.copyOf(model.namedBuffers().values()));
                GradientStep gradients = new GradientStep(model, config.loss());
                int[] share = new BatchShares(batch, batch.length, workers).of(0, rank);
                gradients.compute(shard.select(share, config.sampleShape()), batch.length);
                return new float[][] {gradients.vector(), RunningStatistics.of(model.namedBuffers())};
            });
        } catch (RuntimeException | Error e) {
            throw new WorkerFailure(rank, workers, plan.epoch(), step, e);
        }
    }
}
