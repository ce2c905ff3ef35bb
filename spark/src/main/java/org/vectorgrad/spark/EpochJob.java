package org.vectorgrad.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The driver's side of one epoch in barrier mode: broadcast the starting state, run one barrier
 * job whose tasks train the whole epoch, relay progress, and adopt worker 0's final state (after
 * checking every replica ended with the same parameters).
 */
final class EpochJob {
    private static final long POLL_MILLIS = 50;

    private EpochJob() {
    }

    static EpochStats run(JavaSparkContext sc, TrainingData data, TrainingConfig config, Module model,
                          Optimizer optimizer, int epoch, StepProgress progress) {
        Broadcast<EpochPlan.EpochStart> start = sc.broadcast(new EpochPlan.EpochStart(
                StateBytes.encode(model.stateDict()), StateBytes.encode(optimizer.stateDict())));
        long began = System.nanoTime();
        try (DriverChannel channel = DriverChannel.open(driverHost(sc))) {
            EpochPlan plan = new EpochPlan(config, epoch, data.count(), channel.address(), start);
            ClassTag<WorkerResult> tag = ClassTag$.MODULE$.apply(WorkerResult.class);
            RDD<WorkerResult> tasks = data.blocks().rdd().barrier()
                    .mapPartitions(new BarrierWorker(plan, data.featureSize()), false, tag);
            // A failed barrier stage is cancelled; interrupting lets blocked exchanges notice at once.
            sc.setInterruptOnCancel(true);
            List<WorkerResult> results = await(new JavaRDD<>(tasks, tag).collectAsync(), channel, progress, began);
            return adopt(results, plan, model, optimizer, (System.nanoTime() - began) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the driver's training channel: " + e.getMessage(), e);
        } finally {
            start.destroy();
        }
    }

    static String driverHost(JavaSparkContext sc) {
        return sc.getConf().get("spark.driver.host", "localhost");
    }

    private static List<WorkerResult> await(JavaFutureAction<List<WorkerResult>> job, DriverChannel channel,
                                            StepProgress progress, long began) {
        DriverChannel.Progress shown = channel.progress();
        while (true) {
            try {
                return job.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                DriverChannel.Progress now = channel.progress();
                if (now.samples() > shown.samples()) {
                    shown = now;
                    progress.update(now.samples(), now.lossSum() / now.samples(), System.nanoTime() - began);
                }
            } catch (ExecutionException e) {
                WorkerFailure failure = channel.failure();
                if (failure != null) {
                    throw failure;
                }
                throw new IllegalStateException("the Spark job of a training epoch failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                job.cancel(true);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            }
        }
    }

    private static EpochStats adopt(List<WorkerResult> unordered, EpochPlan plan, Module model, Optimizer optimizer,
                                    double seconds) {
        List<WorkerResult> results = new ArrayList<>(unordered);
        results.sort(Comparator.comparingInt(WorkerResult::rank));
        WorkerResult first = results.getFirst();
        double syncNanos = Double.MAX_VALUE;
        for (WorkerResult r : results) {
            if (r.parameterChecksum() != first.parameterChecksum()) {
                throw new IllegalStateException("worker " + r.rank() + " ended epoch " + plan.epoch()
                        + " with other parameters than worker 0 (CRC " + Long.toHexString(r.parameterChecksum())
                        + " vs " + Long.toHexString(first.parameterChecksum()) + "): the replicas diverged");
            }
            syncNanos = Math.min(syncNanos, (double) r.syncNanos() / Math.max(1, r.steps()));
        }
        model.loadStateDict(StateBytes.decode(first.model()));
        optimizer.loadStateDict(StateBytes.decode(first.optimizer()));
        return stats(plan, first.stepLosses(), seconds, results.size(), syncNanos / 1e3);
    }

    static EpochStats stats(EpochPlan plan, float[] losses, double seconds, int workers, double syncMicros) {
        int batch = plan.config().batchSize();
        double lossSum = 0;
        for (int s = 0; s < losses.length; s++) {
            lossSum += (double) losses[s] * (Math.min(plan.count(), (s + 1) * batch) - s * batch);
        }
        return new EpochStats(plan.epoch(), plan.count(), lossSum / Math.max(1, plan.count()), losses, seconds,
                workers, syncMicros);
    }
}
