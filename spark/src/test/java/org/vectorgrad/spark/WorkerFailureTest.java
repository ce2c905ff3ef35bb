package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;
import org.vectorgrad.io.Checkpoint;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ParameterVectors;
import org.vectorgrad.optim.SGD;

/**
 * A worker that throws fails the run with its original exception and step; no checkpoint is
 * written for the unfinished epoch, and resuming from the last one finishes the run exactly as an
 * uninterrupted run.
 */
class WorkerFailureTest {
    private static final int FEATURES = 8;
    private static final int BATCH = 32;
    private static Synthetic data;
    private static TrainingData prepared;

    /** A failRank no worker (nor the driver, -1) has. */
    static final int NEVER = Integer.MIN_VALUE;

    /** Throws on the {@code failCall}-th forward (0-based) of the worker with partition {@code failRank}. */
    static final class Failing extends Module {
        private final Module inner;
        private final int failRank;
        private final int failCall;
        private final int rank;
        private int calls;

        Failing(Module inner, int failRank, int failCall) {
            this.inner = registerModule("inner", inner);
            this.failRank = failRank;
            this.failCall = failCall;
            this.rank = TaskContext.get() == null ? -1 : TaskContext.get().partitionId();
        }

        @Override
        public Tensor forward(Tensor x) {
            if (rank == failRank && calls++ == failCall) {
                throw new IllegalStateException("injected failure in worker " + rank);
            }
            return inner.forward(x);
        }
    }

    @BeforeAll
    static void prepare() {
        data = Synthetic.make(320, FEATURES, 3);
        prepared = TrainingData.fromBlocks(data.blocks(LocalSpark.context(), 64, 2), 2);
    }

    @AfterAll
    static void release() {
        if (prepared != null) {
            prepared.close();
        }
    }

    private static TrainingConfig config(int failRank, int failCall, SyncMode sync) {
        return TrainingConfig.of(() -> new Failing(Synthetic.mlp(FEATURES, 2), failRank, failCall),
                p -> new SGD(p, 0.05f, 0.9f), BATCH, FEATURES).withSync(sync);
    }

    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void theOriginalExceptionAndItsStepReachTheDriver(SyncMode sync) {
        DataParallelTrainer trainer = new DataParallelTrainer(LocalSpark.context(), config(1, 3, sync));
        WorkerFailure failure = assertThrows(WorkerFailure.class,
                () -> trainer.trainEpoch(prepared, 0, StepProgress.NONE));
        assertEquals(1, failure.worker());
        assertEquals(2, failure.workers());
        assertEquals(0, failure.epoch());
        assertEquals(3, failure.step());
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, failure.getCause());
        assertEquals("injected failure in worker 1", cause.getMessage());
        assertEquals("worker 1 of 2 failed in epoch 0, step 3: java.lang.IllegalStateException: injected failure"
                + " in worker 1", failure.getMessage());
    }

    @Test
    void aFailedEpochWritesNothingAndAResumedRunFinishesAsIfUninterrupted(@TempDir Path dir) throws IOException {
        Path checkpoint = dir.resolve("run.safetensors");
        new DataParallelTrainer(LocalSpark.context(), config(NEVER, 0, SyncMode.DIRECT))
                .fit(prepared, 1, checkpoint, stats -> { });
        byte[] afterFirstEpoch = Files.readAllBytes(checkpoint);

        DataParallelTrainer failing = new DataParallelTrainer(LocalSpark.context(), config(0, 4, SyncMode.DIRECT));
        WorkerFailure failure = assertThrows(WorkerFailure.class, () -> failing.fit(prepared, 2, checkpoint, s -> { }));
        assertEquals(1, failure.epoch());
        assertEquals(4, failure.step());
        assertArrayEquals(afterFirstEpoch, Files.readAllBytes(checkpoint), "nothing written for the failed epoch");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(checkpoint), files.toList(), "no temporary files left behind");
        }

        DataParallelTrainer resumed = new DataParallelTrainer(LocalSpark.context(), config(NEVER, 0, SyncMode.DIRECT));
        assertEquals(1, resumed.fit(prepared, 2, checkpoint, s -> { }).size(), "only the missing epoch is trained");
        DataParallelTrainer straight = new DataParallelTrainer(LocalSpark.context(), config(NEVER, 0, SyncMode.DIRECT));
        straight.fit(prepared, 2, null, s -> { });
        assertArrayEquals(ParameterVectors.parametersToArray(straight.model().parameters()),
                ParameterVectors.parametersToArray(resumed.model().parameters()));
        assertEquals("2", Checkpoint.load(checkpoint).require("epoch"));
    }
}
