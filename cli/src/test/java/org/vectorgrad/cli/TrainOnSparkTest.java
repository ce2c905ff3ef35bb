package org.vectorgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.Tensor;
import org.vectorgrad.io.Checkpoint;
import picocli.CommandLine;

/**
 * {@code vectorgrad train --spark local[2]} end to end: the same progress lines, checkpoint, CSV
 * and PNG as a single-process run, the same numbers within float rounding, and a Spark run
 * stopped after one epoch resumes (on Spark) from its checkpoint.
 */
class TrainOnSparkTest {
    @TempDir
    Path dir;

    private String train(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TrainCommand command = new TrainCommand().with(new DatasetSetupTest.FakeMachine(false, false, null, 0),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = new CommandLine(command).execute(args);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, () -> "stdout:\n" + printed + "\nstderr:\n" + err.toString(StandardCharsets.UTF_8));
        return printed;
    }

    @Test
    void aSparkRunMatchesTheSingleProcessRunAndResumes() throws IOException {
        Path data = TrainingIntegrationTest.syntheticDataset(dir.resolve("data"), 192, 64);
        String[] common = {"--model", "mlp", "--batch-size", "50", "--lr", "0.05", "--seed", "3", "--epochs", "2",
            "--threads", "2", "--data-dir", data.toString()};
        Path single = dir.resolve("single");
        train(concat(common, "--output-dir", single.toString()));

        Path spark = dir.resolve("spark");
        String first = train(concat(common, "--spark", "local[2]", "--partitions", "2", "--stop-after", "1",
                "--output-dir", spark.toString()));
        assertTrue(first.contains("Spark local[2]: 2 data-parallel workers"), first);
        assertTrue(first.contains("epoch 1/2: train loss "), first);
        assertEquals(1, RunCheckpoint.load(spark.resolve("mlp.safetensors")).epoch());
        String second = train("--resume", spark.resolve("mlp.safetensors").toString(), "--spark", "local[2]",
                "--data-dir", data.toString(), "--output-dir", spark.toString());
        assertTrue(second.contains("Resuming ") && second.contains("epoch 2/2: train loss "), second);

        // NOTE: the global batch's gradient is summed per worker and then across workers instead of
        // in one pass: a few float32 roundings (about 1e-7 relative) per step, well inside 1e-5.
        Checkpoint.Contents a = Checkpoint.load(single.resolve("mlp.safetensors"));
        Checkpoint.Contents b = Checkpoint.load(spark.resolve("mlp.safetensors"));
        for (Map.Entry<String, Tensor> entry : a.model().entrySet()) {
            float[] x = entry.getValue().toArray();
            float[] y = b.model().get(entry.getKey()).toArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-5, entry.getKey() + "[" + i + "]");
            }
        }
        List<EpochResult> ha = RunCheckpoint.load(single.resolve("mlp.safetensors")).history().epochs();
        List<EpochResult> hb = RunCheckpoint.load(spark.resolve("mlp.safetensors")).history().epochs();
        for (int e = 0; e < 2; e++) {
            assertEquals(ha.get(e).trainLoss(), hb.get(e).trainLoss(), 1e-5, "epoch " + (e + 1));
            assertEquals(ha.get(e).testAccuracy(), hb.get(e).testAccuracy(), 1.0 / 64, "epoch " + (e + 1));
        }
        assertEquals(3, Files.readAllLines(spark.resolve("mlp-history.csv")).size());
        assertTrue(Files.size(spark.resolve("mlp-curves.png")) > 1000);
    }

    @Test
    void partitionsWithoutSparkIsAnError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TrainCommand command = new TrainCommand().with(new DatasetSetupTest.FakeMachine(false, false, null, 0),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, new CommandLine(command).execute("--partitions", "2", "--data-dir", dir.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--partitions only applies with --spark"), err::toString);
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
