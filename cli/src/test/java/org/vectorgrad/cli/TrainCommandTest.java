package org.vectorgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.Parallelism;
import org.vectorgrad.Tensor;
import org.vectorgrad.data.FashionMnist;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.SGD;
import picocli.CommandLine;

class TrainCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static TrainCommand parse(String... args) {
        CommandLine cli = new CommandLine(new TrainCommand());
        cli.parseArgs(args);
        return cli.getCommand();
    }

    private int execute(DatasetSetupTest.FakeMachine machine, String... args) {
        TrainCommand command = new TrainCommand().with(machine, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandLine(command).execute(args);
    }

    @Test
    void defaultsAreTheDocumentedMainJob() {
        TrainOptions o = parse().options();
        assertEquals(ModelKind.CNN, o.model());
        assertEquals(5, o.epochs());
        assertEquals(64, o.batchSize());
        assertEquals(0.03f, o.lr());
        assertEquals(TrainOptions.Schedule.COSINE, o.schedule());
        assertEquals(0.9f, o.momentum());
        assertEquals(0, o.seed());
        assertEquals(Parallelism.threads(), o.threads());
        assertEquals(FashionMnist.DEBIAN_DIR, o.dataDir());
        assertEquals(Path.of("runs"), o.outputDir());
        assertEquals(TrainOptions.ALL, o.limit());
        assertEquals(Path.of("runs/cnn.safetensors"), o.checkpointFile());
    }

    @Test
    void everyOptionIsParsed() {
        TrainOptions o = parse("--model", "MLP", "--epochs", "2", "--batch-size", "128", "--lr", "0.1",
                "--lr-schedule", "constant", "--momentum", "0.5",
                "--threads", "3", "--seed", "42", "--data-dir", "d", "--output-dir", "o", "--limit", "1000",
                "--test-limit", "200").options();
        assertEquals(new TrainOptions(ModelKind.MLP, 2, 128, 0.1f, TrainOptions.Schedule.CONSTANT, 0.5f, 42,
                1000, 200, 3, Path.of("d"), Path.of("o")), o);
        assertEquals(ModelKind.RESNET18, parse("--model", "resnet18").options().model());
        assertEquals(Path.of("x.safetensors"), parse("--resume", "x.safetensors").resume);
    }

    @Test
    void badValuesAreRejectedWithTheOptionNamed() {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, () -> parse("--model", "vgg"));
        assertTrue(e.getMessage().contains("unknown model 'vgg'; expected one of [mlp, cnn, resnet18]"), e.getMessage());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--epochs", "many"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> parse("--epochs", "0").options());
        assertEquals("--epochs must be >= 1, got 0", bad.getMessage());

        assertEquals(1, execute(new DatasetSetupTest.FakeMachine(false, true, null, 0), "--batch-size", "-4"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("vectorgrad train: --batch-size must be >= 1, got -4"));
    }

    @Test
    void aMissingDatasetStopsWithTheCommandToRun() {
        DatasetSetupTest.FakeMachine machine = new DatasetSetupTest.FakeMachine(false, true, null, 0);
        assertEquals(1, execute(machine, "--data-dir", dir.toString(), "--output-dir", dir.resolve("out").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Fashion-MNIST is not in " + dir), err.toString());
        assertEquals(0, machine.ran.size());
    }

    @Test
    void helpListsEveryOption() {
        StringWriter help = new StringWriter();
        new CommandLine(new TrainCommand()).setOut(new PrintWriter(help)).execute("--help");
        for (String option : new String[] {"--model", "--epochs", "--batch-size", "--lr", "--momentum", "--threads",
            "--seed", "--data-dir", "--output-dir", "--resume", "--limit", "--test-limit", "--lr-schedule"}) {
            assertTrue(help.toString().contains(option), option + " missing from:\n" + help);
        }
        assertTrue(help.toString().contains("mlp, cnn or resnet18 (default: cnn)"), help.toString());
    }

    @Test
    void resumeTakesTheCheckpointsSettingsAndRefusesConflicts() throws IOException {
        Tensor.manualSeed(0);
        Module model = ModelKind.MLP.build();
        Path file = dir.resolve("mlp.safetensors");
        TrainOptions saved = new TrainOptions(ModelKind.MLP, 4, 16, 0.05f, TrainOptions.Schedule.CONSTANT, 0.9f, 9, 300,
                50, 1, dir, dir);
        RunCheckpoint.save(file, model, new SGD(model.parameters(), 0.05f, 0.9f), new TrainingHistory(), saved);
        RunCheckpoint checkpoint = RunCheckpoint.load(file);

        TrainCommand plain = parse("--resume", file.toString(), "--threads", "2");
        TrainOptions resumed = plain.resumed(plain.options(), checkpoint);
        assertEquals(ModelKind.MLP, resumed.model());
        assertEquals(4, resumed.epochs());
        assertEquals(16, resumed.batchSize());
        assertEquals(9, resumed.seed());
        assertEquals(300, resumed.limit());
        assertEquals(2, resumed.threads());

        TrainCommand longer = parse("--resume", file.toString(), "--epochs", "7", "--seed", "9");
        assertEquals(7, longer.resumed(longer.options(), checkpoint).epochs());

        TrainOptions cosine = new TrainOptions(ModelKind.MLP, 4, 16, 0.05f, TrainOptions.Schedule.COSINE, 0.9f, 9, 300,
                50, 1, dir, dir);
        Path cosineFile = dir.resolve("cosine.safetensors");
        RunCheckpoint.save(cosineFile, model, new SGD(model.parameters(), 0.05f, 0.9f), new TrainingHistory(), cosine);
        TrainCommand stretched = parse("--resume", cosineFile.toString(), "--epochs", "6");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> stretched.resumed(stretched.options(), RunCheckpoint.load(cosineFile)));
        assertTrue(refused.getMessage().contains("--epochs 6 would change the cosine lr schedule"), refused.getMessage());
        TrainCommand same = parse("--resume", cosineFile.toString(), "--epochs", "4");
        TrainOptions kept = same.resumed(same.options(), RunCheckpoint.load(cosineFile));
        assertEquals(4, kept.epochs());
        assertEquals(TrainOptions.Schedule.COSINE, kept.schedule());

        TrainCommand conflicting = parse("--resume", file.toString(), "--model", "cnn", "--batch-size", "16", "--lr", "0.1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conflicting.resumed(conflicting.options(), checkpoint));
        assertTrue(e.getMessage().contains("--model cnn (the checkpoint has mlp), --lr 0.1 (the checkpoint has 0.05)"),
                e.getMessage());
    }
}
