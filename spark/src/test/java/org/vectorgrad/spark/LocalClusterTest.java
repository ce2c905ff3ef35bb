package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ParameterVectors;
import org.vectorgrad.optim.SGD;

/**
 * {@code local-cluster[2,1,1024]}: a master, a worker and two executor JVMs on this machine, so
 * everything crosses process boundaries as on a real cluster (closures, factories, broadcasts,
 * the gradient sockets, the driver channel, a worker's exception). Spark launches executors from
 * a distribution's {@code SPARK_HOME/jars}; Maven has no distribution, so the pom's
 * {@code local-cluster} test execution points SPARK_HOME at an empty directory under target and
 * the executors get this JVM's class path (Spark's jars and ours) as their extra class path.
 * Runs in its own JVM (one SparkContext per JVM), skipped when started any other way.
 */
class LocalClusterTest {
    private static final int FEATURES = 12;
    private static final int BATCH = 32;
    private static JavaSparkContext sc;
    private static Synthetic data;

    @BeforeAll
    static void start() throws IOException {
        String home = System.getenv("SPARK_HOME");
        Assumptions.assumeTrue(Boolean.getBoolean("vectorgrad.localCluster") && home != null,
                "run by the pom's local-cluster execution, which sets SPARK_HOME and SPARK_SCALA_VERSION");
        Files.createDirectories(Path.of(home, "jars"));
        sc = new JavaSparkContext(new SparkConf().setMaster("local-cluster[2,1,1024]").setAppName("vectorgrad-cluster")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path")));
        data = Synthetic.make(256, FEATURES, 5);
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.stop();
        }
    }

    private static TrainingConfig config(int failRank) {
        return TrainingConfig.of(() -> new WorkerFailureTest.Failing(Synthetic.mlp(FEATURES, 6), failRank, 2),
                p -> new SGD(p, 0.1f, 0.9f), BATCH, FEATURES).withSeed(1, true);
    }

    @Test
    void executorJvmsTrainAsOneProcessAndReportAWorkersException() {
        try (TrainingData prepared = TrainingData.fromBlocks(data.blocks(sc, 40, 3), 2)) {
            DataParallelTrainer trainer = new DataParallelTrainer(sc, config(WorkerFailureTest.NEVER));
            float[] losses = trainer.trainEpoch(prepared, 0, StepProgress.NONE).stepLosses();

            Module model = config(WorkerFailureTest.NEVER).model().get();
            float[] expected = SingleProcess.epoch(model, new SGD(model.parameters(), 0.1f, 0.9f), data, BATCH, 1, 0);
            for (int s = 0; s < expected.length; s++) {
                assertEquals(expected[s], losses[s], 1e-5, "step " + s);
            }
            float[] weights = ParameterVectors.parametersToArray(trainer.model().parameters());
            float[] reference = ParameterVectors.parametersToArray(model.parameters());
            for (int i = 0; i < weights.length; i++) {
                assertEquals(reference[i], weights[i], 1e-5, "weight " + i);
            }

            WorkerFailure failure = assertThrows(WorkerFailure.class,
                    () -> new DataParallelTrainer(sc, config(1)).trainEpoch(prepared, 0, StepProgress.NONE));
            assertEquals(1, failure.worker());
            assertEquals(2, failure.step());
            assertEquals("injected failure in worker 1",
                    assertInstanceOf(IllegalStateException.class, failure.getCause()).getMessage());
        }
    }

    /** Tasks kept between epochs in executor JVMs (a TCP exchange, results over the driver's channel): the same bits. */
    @Test
    void keptTasksInExecutorJvmsTrainAsOneJobPerEpoch() {
        try (TrainingData prepared = TrainingData.fromBlocks(data.blocks(sc, 40, 3), 2)) {
            DataParallelTrainer perEpoch = new DataParallelTrainer(sc, config(WorkerFailureTest.NEVER));
            List<float[]> expected = new ArrayList<>();
            for (int epoch = 0; epoch < 3; epoch++) {
                expected.add(perEpoch.trainEpoch(prepared, epoch, StepProgress.NONE).stepLosses());
            }
            // after the per-epoch run: kept tasks hold both slots between their epochs
            try (DataParallelTrainer kept = new DataParallelTrainer(sc, config(WorkerFailureTest.NEVER))
                    .keepTasksBetweenEpochs(Duration.ofMinutes(1))) {
                for (int epoch = 0; epoch < 3; epoch++) {
                    assertArrayEquals(expected.get(epoch), kept.trainEpoch(prepared, epoch, StepProgress.NONE)
                            .stepLosses(), "epoch " + epoch);
                }
                assertArrayEquals(ParameterVectors.parametersToArray(perEpoch.model().parameters()),
                        ParameterVectors.parametersToArray(kept.model().parameters()));
            }
        }
    }
}
