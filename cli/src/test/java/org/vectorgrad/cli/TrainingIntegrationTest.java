package org.vectorgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.Tensor;
import org.vectorgrad.data.FashionMnist;
import org.vectorgrad.data.IdxFiles;
import org.vectorgrad.io.Checkpoint;
import picocli.CommandLine;

/** {@code vectorgrad train} end to end, through the command line. */
class TrainingIntegrationTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int train(String... args) {
        TrainCommand command = new TrainCommand().with(new DatasetSetupTest.FakeMachine(false, false, null, 0),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = new CommandLine(command).execute(args);
        assertEquals(0, code, () -> "stdout:\n" + out.toString(StandardCharsets.UTF_8) + "\nstderr:\n"
                + err.toString(StandardCharsets.UTF_8));
        return code;
    }

    /** The MLP on a slice of the real Fashion-MNIST: the loss falls and accuracy is far above chance (10%). */
    @Test
    void mlpLearnsASliceOfFashionMnist() throws IOException {
        Assumptions.assumeTrue(FashionMnist.isPresent(FashionMnist.DEBIAN_DIR),
                "dataset-fashion-mnist is not installed (.ci/run installs it)");
        Path runs = dir.resolve("runs");
        train("--model", "mlp", "--epochs", "2", "--limit", "4000", "--test-limit", "2000", "--lr", "0.05",
                "--threads", "2", "--output-dir", runs.toString());
        List<EpochResult> epochs = RunCheckpoint.load(runs.resolve("mlp.safetensors")).history().epochs();
        assertEquals(2, epochs.size());
        assertTrue(epochs.get(0).trainLoss() < Math.log(10), "first epoch loss " + epochs.get(0).trainLoss()
                + " is not below the untrained ln(10)");
        assertTrue(epochs.get(1).trainLoss() < 0.85 * epochs.get(0).trainLoss(), "loss did not fall: " + epochs);
        assertTrue(epochs.get(1).testAccuracy() > 0.7, "test accuracy " + epochs.get(1).testAccuracy());
        assertEquals(3, Files.readAllLines(runs.resolve("mlp-history.csv")).size());
        assertTrue(Files.size(runs.resolve("mlp-curves.png")) > 1000);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("epoch 2/2: train loss "), printed);
    }

    /**
     * Stopping after epoch 1 and resuming gives bit for bit the run that never stopped; three
     * epochs, so the third one's lr depends on the restored schedule, not only the saved lr.
     */
    @ParameterizedTest
    @CsvSource({"mlp, cosine", "cnn, cosine", "mlp, constant"})
    void resumingContinuesTheSameRun(String model, String schedule) throws IOException {
        Path data = syntheticDataset(dir.resolve("data"), 192, 64);
        String[] common = {"--model", model, "--batch-size", "50", "--lr", "0.05", "--lr-schedule", schedule, "--seed", "3",
            "--threads", "2", "--data-dir", data.toString()};
        Path whole = dir.resolve("whole");
        train(concat(common, "--epochs", "3", "--output-dir", whole.toString()));
        Path split = dir.resolve("split");
        // A cosine run must be stopped inside its schedule; a constant one may be extended instead.
        train(concat(common, schedule.equals("cosine") ? new String[] {"--epochs", "3", "--stop-after", "1"}
                : new String[] {"--epochs", "1"}, "--output-dir", split.toString()));
        assertEquals(1, RunCheckpoint.load(split.resolve(model + ".safetensors")).epoch());
        train("--resume", split.resolve(model + ".safetensors").toString(), "--epochs", "3", "--threads", "1",
                "--data-dir", data.toString(), "--output-dir", split.toString());

        Checkpoint.Contents a = Checkpoint.load(whole.resolve(model + ".safetensors"));
        Checkpoint.Contents b = Checkpoint.load(split.resolve(model + ".safetensors"));
        assertEquals(a.model().keySet(), b.model().keySet());
        for (Map.Entry<String, Tensor> entry : a.model().entrySet()) {
            assertArrayEquals(entry.getValue().toArray(), b.model().get(entry.getKey()).toArray(), entry.getKey());
        }
        assertEquals(a.optimizer().keySet(), b.optimizer().keySet());
        for (Map.Entry<String, Tensor> entry : a.optimizer().entrySet()) {
            assertArrayEquals(entry.getValue().toArray(), b.optimizer().get(entry.getKey()).toArray(), entry.getKey());
        }
        List<EpochResult> ha = RunCheckpoint.load(whole.resolve(model + ".safetensors")).history().epochs();
        List<EpochResult> hb = RunCheckpoint.load(split.resolve(model + ".safetensors")).history().epochs();
        for (int e = 0; e < 3; e++) {
            assertEquals(ha.get(e).trainLoss(), hb.get(e).trainLoss(), "epoch " + (e + 1));
            assertEquals(ha.get(e).testAccuracy(), hb.get(e).testAccuracy(), "epoch " + (e + 1));
        }
    }

    /** Random images whose class brightens one band of rows, so there is something to learn. */
    static Path syntheticDataset(Path dir, int trainCount, int testCount) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(17);
        for (String prefix : List.of("train", "t10k")) {
            int count = prefix.equals("train") ? trainCount : testCount;
            byte[] pixels = new byte[count * 784];
            byte[] labels = new byte[count];
            for (int i = 0; i < count; i++) {
                labels[i] = (byte) random.nextInt(10);
                for (int p = 0; p < 784; p++) {
                    int row = p / 28;
                    int band = row / 3 == labels[i] ? 120 : 0;
                    pixels[i * 784 + p] = (byte) Math.min(255, random.nextInt(120) + band);
                }
            }
            IdxFiles.write(dir, prefix + "-images-idx3-ubyte.gz", IdxFiles.gzip(IdxFiles.idx(pixels, count, 28, 28)));
            IdxFiles.write(dir, prefix + "-labels-idx1-ubyte.gz", IdxFiles.gzip(IdxFiles.idx(labels, count)));
        }
        return dir;
    }

    private static String[] concat(String[] first, String[] second, String... more) {
        return concat(concat(first, second), more);
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
