package org.vectorgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.data.IdxFiles;
import picocli.CommandLine;

/**
 * Bad {@code vectorgrad train} arguments are reported before any training, each with a message
 * that says what is wrong (not just a path, or "null"), and nothing is claimed that was not done.
 */
class TrainPreflightTest {
    @TempDir
    Path dir;

    private Path data;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void tinyDataset() throws IOException {
        data = Files.createDirectories(dir.resolve("data"));
        IdxFiles.fashionDir(data, "train", 20);
        IdxFiles.fashionDir(data, "t10k", 10);
    }

    private int train(String... args) {
        TrainCommand command = new TrainCommand().with(new DatasetSetupTest.FakeMachine(false, false, null, 0),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        CommandLine cli = new CommandLine(command);
        StringWriter picocliErr = new StringWriter();
        cli.setErr(new PrintWriter(picocliErr, true));
        Stream<String> threads = List.of(args).contains("--threads") ? Stream.of() : Stream.of("--threads", "1");
        int code = cli.execute(Stream.of(Stream.of("--model", "mlp", "--epochs", "2", "--batch-size", "10", "--data-dir",
                data.toString()), threads, Stream.of(args)).flatMap(s -> s).toArray(String[]::new));
        err.writeBytes(picocliErr.toString().getBytes(StandardCharsets.UTF_8));
        return code;
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void resumingAMissingFileSaysThereIsNoCheckpoint() {
        Path missing = dir.resolve("runs/mlp.safetensors");
        assertEquals(1, train("--resume", missing.toString(), "--output-dir", dir.resolve("out").toString()));
        assertTrue(stderr().contains("vectorgrad train: --resume: no checkpoint at " + missing), stderr());
    }

    @Test
    void resumingADirectorySaysACheckpointFileIsExpected() {
        assertEquals(1, train("--resume", dir.toString(), "--output-dir", dir.resolve("out").toString()));
        assertTrue(stderr().contains("vectorgrad train: --resume: " + dir + " is a directory, expected a .safetensors"
                + " checkpoint"), stderr());
    }

    /** A file where the directory should be: fails for root too, unlike a permission test. */
    @Test
    void anOutputDirThatCannotBeCreatedIsReportedBeforeTraining() throws IOException {
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file, not a directory");
        Path output = blocker.resolve("runs");
        assertEquals(1, train("--output-dir", output.toString()));
        assertTrue(stderr().contains("vectorgrad train: --output-dir " + output + " cannot be written: "), stderr());
        assertFalse(stdout().contains("epoch 1/2"), "trained before checking the output directory:\n" + stdout());
    }

    @Test
    void aReadOnlyOutputDirIsReportedBeforeTraining() throws IOException {
        Path output = Files.createDirectories(dir.resolve("read-only"));
        Files.setPosixFilePermissions(output, PosixFilePermissions.fromString("r-xr-xr-x"));
        Assumptions.assumeFalse(Files.isWritable(output), "running as root: every directory is writable");
        assertEquals(1, train("--output-dir", output.toString()));
        assertTrue(stderr().contains("vectorgrad train: --output-dir " + output + " cannot be written: permission denied"),
                stderr());
        assertFalse(stdout().contains("epoch 1/2"), stdout());
    }

    @Test
    void aDirectoryInPlaceOfAnOutputFileIsReportedBeforeTraining() throws IOException {
        Path output = dir.resolve("out");
        Files.createDirectories(output.resolve("mlp.safetensors"));
        assertEquals(1, train("--output-dir", output.toString()));
        assertTrue(stderr().contains("vectorgrad train: --output-dir " + output + ": " + output.resolve("mlp.safetensors")
                + " is a directory, so the checkpoint cannot be written there"), stderr());
        assertFalse(stdout().contains("epoch 1/2"), stdout());
    }

    @Test
    void threadsOutsideTheAllowedRangeIsAPicocliErrorNamingTheRange() {
        for (String threads : List.of("40000", "0", "-2")) {
            out.reset();
            err.reset();
            assertEquals(2, train("--threads", threads, "--output-dir", dir.resolve("out").toString()), threads);
            assertTrue(stderr().contains("Invalid value for option '--threads': " + threads + " is not in 1.."
                    + TrainArguments.MAX_THREADS), stderr());
            assertFalse(stderr().contains("null"), stderr());
            assertFalse(stdout().contains("Training"), stdout());
        }
        assertEquals(1024, TrainArguments.MAX_THREADS);
    }

    /** What the command prints for an error is a sentence, never "null" or a bare path. */
    @Test
    void errorsArePrintedAsSentences() {
        assertEquals("java.lang.IllegalArgumentException", Preflight.message(new IllegalArgumentException()));
        assertEquals("/x/runs: permission denied", Preflight.message(new java.nio.file.AccessDeniedException("/x/runs")));
        assertEquals("/x/y: no such file or directory", Preflight.message(new java.nio.file.NoSuchFileException("/x/y")));
        assertEquals("/x/y: is a directory", Preflight.message(
                new java.nio.file.FileSystemException("/x/y", null, "is a directory")));
    }

    /** --stop-after 0 would train nothing and write nothing: refused, rather than printing paths never written. */
    @Test
    void stopAfterZeroIsRefusedAtParseTime() {
        assertEquals(2, train("--stop-after", "0", "--output-dir", dir.resolve("out").toString()));
        assertTrue(stderr().contains("Invalid value for option '--stop-after': 0 is not >= 1"), stderr());
        assertFalse(Files.exists(dir.resolve("out/mlp.safetensors")));
    }

    /** Resuming a run that is already past --stop-after trains nothing: it must not claim to have written files. */
    @Test
    void aResumeWithNothingLeftToTrainNamesNoFiles() throws IOException {
        Path runs = dir.resolve("runs");
        assertEquals(0, train("--stop-after", "1", "--output-dir", runs.toString()), stderr());
        Path checkpoint = runs.resolve("mlp.safetensors");
        Path other = dir.resolve("elsewhere");
        out.reset();
        assertEquals(0, train("--resume", checkpoint.toString(), "--stop-after", "1", "--output-dir", other.toString()),
                stderr());
        assertFalse(stdout().contains(other.toString()), "named files it did not write:\n" + stdout());
        assertTrue(stdout().contains("Nothing to train: the checkpoint already has 1 of 2 epochs (--stop-after 1);"
                + " no files written"), stdout());
        assertFalse(Files.exists(other.resolve("mlp.safetensors")));
    }
}
