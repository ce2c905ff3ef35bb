package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.BatchNorm1d;
import org.vectorgrad.nn.ParameterVectors;
import org.vectorgrad.nn.Sequential;
import org.vectorgrad.optim.SGD;

/**
 * Barrier tasks kept between epochs train exactly as one job per epoch does, driver-side changes
 * between epochs included, in one Spark job; idle tasks give their slots back; a failure in a
 * later epoch still reaches the driver with its worker, epoch and step.
 */
class KeptTasksTest {
    private static final int FEATURES = 12;
    private static final int BATCH = 32;
    private static final int EPOCHS = 3;
    private static final Duration KEEP = Duration.ofMinutes(1);
    private static TrainingData prepared;

    @BeforeAll
    static void prepare() {
        // 330 samples: 10 full batches and one of 10 per epoch.
        prepared = TrainingData.fromBlocks(Synthetic.make(330, FEATURES, 4).blocks(LocalSpark.context(), 40, 3), 2);
    }

    @AfterAll
    static void release() {
        if (prepared != null) {
            prepared.close();
        }
    }

    /** BatchNorm too: its running statistics are averaged over the workers at every epoch's end. */
    private static TrainingConfig config() {
        return TrainingConfig.of(() -> new Sequential(new BatchNorm1d(FEATURES), Synthetic.mlp(FEATURES, 6)),
                p -> new SGD(p, 0.05f, 0.9f), BATCH, FEATURES).withSeed(9, true);
    }

    record Run(List<float[]> losses, float[] parameters, float[] buffers, int jobs) {
    }

    /** EPOCHS epochs, {@code between} run on the driver's trainer after every epoch but the last. */
    private static Run train(Duration keep, Consumer<DataParallelTrainer> between) {
        AtomicInteger jobs = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart jobStart) {
                jobs.incrementAndGet();
            }
        };
        LocalSpark.context().sc().addSparkListener(counter);
        List<float[]> losses = new ArrayList<>();
        try (DataParallelTrainer trainer = new DataParallelTrainer(LocalSpark.context(), config())
                .keepTasksBetweenEpochs(keep)) {
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                losses.add(trainer.trainEpoch(prepared, epoch, StepProgress.NONE).stepLosses());
                if (epoch < EPOCHS - 1) {
                    between.accept(trainer);
                }
            }
            trainer.close();
            drainListenerBus();
            return new Run(losses, ParameterVectors.parametersToArray(trainer.model().parameters()),
                    trainer.model().namedBuffers().get("0.running_mean").toArray(), jobs.get());
        } finally {
            LocalSpark.context().sc().removeSparkListener(counter);
        }
    }

    // The listener bus delivers asynchronously (a job start is posted before the job runs).
    private static void drainListenerBus() {
        try {
            LocalSpark.context().sc().listenerBus().waitUntilEmpty(60_000);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("Spark's listener bus did not drain in 60 s", e);
        }
    }

    private static void assertSameTraining(Run expected, Run actual) {
        for (int e = 0; e < EPOCHS; e++) {
            assertArrayEquals(expected.losses().get(e), actual.losses().get(e), "step losses of epoch " + e);
        }
        assertArrayEquals(expected.parameters(), actual.parameters());
        assertArrayEquals(expected.buffers(), actual.buffers());
    }

    @Test
    void keptTasksTrainEveryEpochInOneJobWithTheBitsOfAJobPerEpoch() {
        Run perEpoch = train(Duration.ZERO, t -> { });
        Run kept = train(KEEP, t -> { });
        assertEquals(EPOCHS, perEpoch.jobs());
        assertEquals(1, kept.jobs());
        assertSameTraining(perEpoch, kept);
    }

    /**
     * A schedule's new learning rate and an edited weight on the driver reach the waiting
     * workers: the kept run equals the per-epoch run given the same edits, and differs from a run
     * without them (so the edits were not lost).
     */
    @Test
    void whatTheDriverChangesBetweenEpochsReachesTheKeptTasks() {
        Consumer<DataParallelTrainer> edit = t -> {
            t.optimizer().setLr(t.optimizer().lrExact() / 2);
            Tensor bias = t.model().namedParameters().get("1.0.bias");
            bias.detach().copyFrom(bias.detach().mul(0.5f));
        };
        Run perEpoch = train(Duration.ZERO, edit);
        Run kept = train(KEEP, edit);
        assertEquals(1, kept.jobs());
        assertSameTraining(perEpoch, kept);
        Run unedited = train(KEEP, t -> { });
        assertTrue(unedited.parameters()[0] != kept.parameters()[0] || unedited.losses().get(1)[0] != kept.losses().get(1)[0],
                "the edits changed training");
    }

    /** With a short keep time the idle tasks end; their slots serve other jobs, and the next epoch takes a new job. */
    @Test
    void idleTasksGiveTheirSlotsBackAndTheNextEpochStartsANewJob() {
        Run perEpoch = train(Duration.ZERO, t -> { });
        Run released = train(Duration.ofMillis(100), t -> assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertEquals(2L, LocalSpark.context().parallelize(List.of(1, 2), 2).count(),
                        "a job needing both slots runs while the trainer is idle")));
        assertEquals(EPOCHS + 2, released.jobs(), "one job per epoch plus the two counts");
        assertSameTraining(perEpoch, released);
    }

    /** The failing forward is the 13th of worker 1's model, which kept tasks keep: epoch 1, step 2. */
    @Test
    void aFailureInALaterEpochNamesThatEpochAndStep() {
        TrainingConfig failing = TrainingConfig.of(
                () -> new WorkerFailureTest.Failing(Synthetic.mlp(FEATURES, 2), 1, 13),
                p -> new SGD(p, 0.05f, 0.9f), BATCH, FEATURES);
        try (DataParallelTrainer trainer = new DataParallelTrainer(LocalSpark.context(), failing)
                .keepTasksBetweenEpochs(KEEP)) {
            trainer.trainEpoch(prepared, 0, StepProgress.NONE);
            WorkerFailure failure = assertThrows(WorkerFailure.class,
                    () -> trainer.trainEpoch(prepared, 1, StepProgress.NONE));
            assertEquals(1, failure.worker());
            assertEquals(1, failure.epoch());
            assertEquals(2, failure.step());
            assertInstanceOf(IllegalStateException.class, failure.getCause());
            // A new job trains the epoch again from the driver's state, with new models whose
            // forward count starts over (and never reaches 13 in one epoch of 11 steps).
            assertEquals(11, trainer.trainEpoch(prepared, 1, StepProgress.NONE).steps());
        }
    }

    @Test
    void aNegativeKeepTimeIsRefused() {
        DataParallelTrainer trainer = new DataParallelTrainer(LocalSpark.context(), config());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.keepTasksBetweenEpochs(Duration.ofSeconds(-1)));
        assertEquals("keepTasksBetweenEpochs: maxIdle must not be negative, got PT-1S", e.getMessage());
    }
}
