package org.vectorgrad.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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
 * The driver's side of the barrier job that trains: broadcast the starting state, run one barrier
 * job whose tasks train the epoch, relay progress, and adopt worker 0's final state (after
 * checking every replica ended with the same parameters).
 *
 * <p>When the tasks are kept, the same job trains the later epochs too: the workers send their
 * results over the driver's channel and wait, and the driver tells them the next epoch (with its
 * state only where it differs from theirs) instead of paying for a new job. A job costs about
 * 0.1 s an epoch here (submitting, launching, collecting the result, rebuilding every replica),
 * against 0.8 s for an MLP epoch. Waiting tasks hold their slots, so the driver stops them when
 * no epoch follows within the keep time.
 */
final class EpochJob implements AutoCloseable {
    private static final long POLL_MILLIS = 50;
    private static final long STOP_MILLIS = 30_000;
    private static final Object JOB_ENDED = new Object();
    private static final ScheduledExecutorService RELEASER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vectorgrad-idle-tasks");
        t.setDaemon(true);
        return t;
    });

    private final TrainingData data;
    private final int world;
    private final long keepMillis;
    private final DriverChannel channel;
    private final Broadcast<EpochPlan.EpochStart> start;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private EpochPlan plan;
    private JavaFutureAction<List<WorkerResult>> job;
    // The state every worker holds after the last epoch (worker 0's, which the driver adopted).
    private byte[] heldModel;
    private byte[] heldOptimizer;
    private boolean waiting;
    private ScheduledFuture<?> release;
    private long launched;

    private EpochJob(JavaSparkContext sc, TrainingData data, long keepMillis, Broadcast<EpochPlan.EpochStart> start)
            throws IOException {
        this.data = data;
        this.world = data.partitions();
        this.keepMillis = keepMillis;
        this.start = start;
        this.channel = DriverChannel.open(driverHost(sc), events::add);
    }

    /**
     * Starts the job, from the driver's model and optimizer, at {@code epoch}; with
     * {@code keepMillis > 0} its tasks then wait up to that long after each epoch for {@link #next}.
     */
    static EpochJob start(JavaSparkContext sc, TrainingData data, TrainingConfig config, Module model,
                          Optimizer optimizer, int epoch, long keepMillis) {
        Broadcast<EpochPlan.EpochStart> start = sc.broadcast(new EpochPlan.EpochStart(
                StateBytes.encode(model.stateDict()), StateBytes.encode(optimizer.stateDict())));
        EpochJob job;
        try {
            job = new EpochJob(sc, data, keepMillis, start);
        } catch (IOException e) {
            start.destroy();
            throw new UncheckedIOException("cannot open the driver's training channel: " + e.getMessage(), e);
        }
        job.plan = new EpochPlan(config, epoch, data.count(), job.channel.address(), start, keepMillis > 0);
        try {
            job.launch(sc);
        } catch (RuntimeException e) {
            job.close();
            throw e;
        }
        return job;
    }

    private void launch(JavaSparkContext sc) {
        launched = System.nanoTime();
        ClassTag<WorkerResult> tag = ClassTag$.MODULE$.apply(WorkerResult.class);
        RDD<WorkerResult> tasks = data.blocks().rdd().barrier()
                .mapPartitions(new BarrierWorker(plan, data.featureSize()), false, tag);
        // A failed barrier stage is cancelled; interrupting lets blocked exchanges notice at once.
        sc.setInterruptOnCancel(true);
        job = new JavaRDD<>(tasks, tag).collectAsync();
        Thread watcher = new Thread(() -> {
            try {
                job.get();
            } catch (InterruptedException | ExecutionException | RuntimeException e) {
                // the driver's await reads the outcome itself
            }
            events.add(JOB_ENDED);
        }, "vectorgrad-epoch-job");
        watcher.setDaemon(true);
        watcher.start();
    }

    static String driverHost(JavaSparkContext sc) {
        return sc.getConf().get("spark.driver.host", "localhost");
    }

    /** The epoch the job was started at, timed from the job's submission. */
    EpochStats first(Module model, Optimizer optimizer, StepProgress progress) {
        EpochStats stats = await(model, optimizer, progress, launched);
        if (stats == null) {
            throw new IllegalStateException("the Spark job of epoch " + plan.epoch() + " ended without its results");
        }
        return stats;
    }

    /** True while the tasks wait for another epoch over {@code other}. */
    synchronized boolean waitsFor(TrainingData other) {
        return waiting && other == data;
    }

    /**
     * Epoch {@code epoch} with the waiting tasks, from the driver's model and optimizer (sent only
     * where they differ from the state the workers hold); null if the tasks are gone (stopped
     * after the keep time, or lost), and then a new job must train it.
     */
    EpochStats next(int epoch, Module model, Optimizer optimizer, StepProgress progress) {
        long began = System.nanoTime();
        byte[] modelBytes = StateBytes.encode(model.stateDict());
        byte[] optimizerBytes = StateBytes.encode(optimizer.stateDict());
        synchronized (this) {
            if (!waiting || job.isDone() || !release.cancel(false)) {
                return null;
            }
            waiting = false;
            plan = plan.withEpoch(epoch);
            if (!channel.next(world, epoch, Arrays.equals(modelBytes, heldModel) ? null : modelBytes,
                    Arrays.equals(optimizerBytes, heldOptimizer) ? null : optimizerBytes)) {
                return null;
            }
        }
        return await(model, optimizer, progress, began);
    }

    private EpochStats await(Module model, Optimizer optimizer, StepProgress progress, long began) {
        List<WorkerResult> received = new ArrayList<>();
        DriverChannel.Progress shown = channel.progress();
        while (true) {
            Object event = poll();
            if (event instanceof WorkerResult result) {
                if (result.epoch() == plan.epoch()) {
                    received.add(result);
                }
                if (received.size() == world) {
                    return adoptAndWait(received, model, optimizer, began);
                }
            } else if (event == JOB_ENDED) {
                List<WorkerResult> returned = outcome();
                return returned.isEmpty() ? null : adopt(returned, model, optimizer, began);
            } else {
                DriverChannel.Progress now = channel.progress();
                if (now.samples() > shown.samples()) {
                    shown = now;
                    progress.update(now.samples(), now.lossSum() / now.samples(), System.nanoTime() - began);
                }
            }
        }
    }

    private Object poll() {
        try {
            return events.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            job.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        }
    }

    /** The tasks' own results (empty when they sent them over the channel); a failure as the worker's exception. */
    private List<WorkerResult> outcome() {
        try {
            return job.get();
        } catch (ExecutionException e) {
            WorkerFailure failure = channel.failure();
            if (failure != null) {
                throw failure;
            }
            throw new IllegalStateException("the Spark job of a training epoch failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        }
    }

    private EpochStats adoptAndWait(List<WorkerResult> results, Module model, Optimizer optimizer, long began) {
        EpochStats stats = adopt(results, model, optimizer, began);
        synchronized (this) {
            waiting = true;
            release = RELEASER.schedule(this::releaseIdle, keepMillis, TimeUnit.MILLISECONDS);
        }
        return stats;
    }

    // No epoch came within the keep time: free the slots (the tasks end, the job with them).
    private synchronized void releaseIdle() {
        if (waiting) {
            waiting = false;
            channel.stop();
        }
    }

    private EpochStats adopt(List<WorkerResult> unordered, Module model, Optimizer optimizer, long began) {
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
        heldModel = first.model();
        heldOptimizer = first.optimizer();
        return stats(plan, first.stepLosses(), (System.nanoTime() - began) / 1e9, results.size(), syncNanos / 1e3);
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

    /** Stops waiting tasks and waits (bounded) for the job to end, then frees the channel and broadcast. */
    @Override
    public void close() {
        synchronized (this) {
            waiting = false;
            if (release != null) {
                release.cancel(false);
            }
        }
        try {
            if (job != null && !job.isDone()) {
                channel.stop();
                try {
                    job.get(STOP_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    job.cancel(true);
                } catch (ExecutionException e) {
                    // a failed job is over too; its failure was reported where it happened
                } catch (InterruptedException e) {
                    job.cancel(true);
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            channel.close();
            start.destroy();
        }
    }
}
