package org.vectorgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.Tensor;
import org.vectorgrad.io.Checkpoint;
import org.vectorgrad.io.SafetensorsFormatException;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;
import org.vectorgrad.optim.SGD;

class RunCheckpointTest {
    @TempDir
    Path dir;

    private static TrainOptions options(ModelKind kind) {
        return new TrainOptions(kind, 3, 32, 0.02f, TrainOptions.Schedule.COSINE, 0.8f, 11, 500, 100, 1, Path.of("data"),
                Path.of("out"));
    }

    private static TrainingHistory history(int epochs) {
        TrainingHistory history = new TrainingHistory();
        for (int e = 1; e <= epochs; e++) {
            history.add(new EpochResult(e, 1.0 / e, 0.5 + e / 10.0, 2.5, 1000));
        }
        return history;
    }

    /** Every tensor of a state as (name, shape, values), comparable with equals. */
    private static Map<String, List<String>> snapshot(Map<String, Tensor> state) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        state.forEach((name, t) -> out.put(name, List.of(Arrays.toString(t.shape()), Arrays.toString(t.toArray()))));
        return out;
    }

    @Test
    void roundTripRestoresModelOptimizerHistoryAndOptions() throws IOException {
        Tensor.manualSeed(1);
        Module model = ModelKind.MLP.build();
        Optimizer optimizer = new SGD(model.parameters(), 0.02f, 0.8f);
        optimizer.setLr(0.005f);
        Path file = dir.resolve("mlp.safetensors");
        RunCheckpoint.save(file, model, optimizer, history(2), options(ModelKind.MLP));

        RunCheckpoint loaded = RunCheckpoint.load(file);
        assertEquals(2, loaded.epoch());
        assertEquals(history(2).epochs(), loaded.history().epochs());
        assertEquals(options(ModelKind.MLP), options(ModelKind.CNN).withTrajectory(loaded.optionsJson()));

        Tensor.manualSeed(2);
        Module fresh = ModelKind.MLP.build();
        Optimizer freshOptimizer = new SGD(fresh.parameters(), 0.02f, 0.8f);
        loaded.restore(fresh, freshOptimizer);
        assertEquals(snapshot(model.stateDict()), snapshot(fresh.stateDict()));
        assertEquals(0.005f, freshOptimizer.lr());
    }

    @Test
    void aCheckpointOfAnotherModelIsRejectedAndNothingChanges() throws IOException {
        Tensor.manualSeed(3);
        Module cnn = ModelKind.CNN.build();
        Path file = dir.resolve("cnn.safetensors");
        RunCheckpoint.save(file, cnn, new SGD(cnn.parameters(), 0.01f, 0.9f), history(1), options(ModelKind.CNN));

        Module mlp = ModelKind.MLP.build();
        Optimizer optimizer = new SGD(mlp.parameters(), 0.01f, 0.9f);
        Map<String, List<String>> before = snapshot(mlp.stateDict());
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> RunCheckpoint.load(file).restore(mlp, optimizer));
        assertTrue(e.getMessage().startsWith(file + ": model state lacks tensor '1.weight' of shape [256, 784]"),
                e.getMessage());
        assertEquals(before, snapshot(mlp.stateDict()));
        assertEquals(0.01f, optimizer.lr());
    }

    @Test
    void badOptimizerStateLeavesModelAndOptimizerUntouched() throws IOException {
        Tensor.manualSeed(4);
        Module model = ModelKind.MLP.build();
        Map<String, Tensor> optimizerState = new LinkedHashMap<>();
        optimizerState.put("lr", Tensor.scalar(0.5f));
        optimizerState.put("state.0.momentum_buffer", Tensor.zeros(3));
        Path file = dir.resolve("bad-optimizer.safetensors");
        Map<String, Tensor> otherWeights = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> otherWeights.put(name, Tensor.zeros(t.shape())));
        Checkpoint.save(file, otherWeights, optimizerState, Map.of(RunCheckpoint.EPOCH, "0",
                RunCheckpoint.HISTORY, "[]", RunCheckpoint.OPTIONS, options(ModelKind.MLP).trajectoryJson()));

        Optimizer optimizer = new SGD(model.parameters(), 0.01f, 0.9f);
        Map<String, List<String>> before = snapshot(model.stateDict());
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> RunCheckpoint.load(file).restore(model, optimizer));
        assertTrue(e.getMessage().contains("optimizer state does not fit"), e.getMessage());
        assertTrue(e.getMessage().contains("state.0.momentum_buffer"), e.getMessage());
        assertEquals(before, snapshot(model.stateDict()));
        assertEquals(0.01f, optimizer.lr());
    }

    @Test
    void inconsistentOrMissingMetadataIsNamed() throws IOException {
        Tensor.manualSeed(5);
        Module model = ModelKind.MLP.build();
        Path file = dir.resolve("meta.safetensors");
        Checkpoint.save(file, model.stateDict(), Map.of(), Map.of(RunCheckpoint.EPOCH, "2",
                RunCheckpoint.HISTORY, history(1).toJson(), RunCheckpoint.OPTIONS, "{}"));
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> RunCheckpoint.load(file));
        assertTrue(e.getMessage().contains("epoch 2 but a history of 1 epochs"), e.getMessage());

        Checkpoint.save(file, model.stateDict(), Map.of(), Map.of(RunCheckpoint.EPOCH, "1"));
        e = assertThrows(SafetensorsFormatException.class, () -> RunCheckpoint.load(file));
        assertTrue(e.getMessage().contains("lacks 'history'"), e.getMessage());
    }

    @Test
    void aTruncatedCheckpointNamesTheFile() throws IOException {
        Tensor.manualSeed(6);
        Module model = ModelKind.MLP.build();
        Path file = dir.resolve("cut.safetensors");
        RunCheckpoint.save(file, model, new SGD(model.parameters(), 0.01f, 0.9f), history(1), options(ModelKind.MLP));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> RunCheckpoint.load(file));
        assertTrue(e.getMessage().startsWith(file + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void historyCsvAndPlotAreWritten() throws IOException {
        TrainingHistory history = history(3);
        Path csv = dir.resolve("h.csv");
        history.writeCsv(csv);
        assertEquals(List.of("epoch,train_loss,test_accuracy,seconds,samples_per_second",
                "1,1.000000,0.600000,2.500,1000.0", "2,0.500000,0.700000,2.500,1000.0", "3,0.333333,0.800000,2.500,1000.0"),
                Files.readAllLines(csv));
        Path png = dir.resolve("curves.png");
        TrainingPlot.writePng(png, "test", history);
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(800, image.getWidth());
        assertEquals(500, image.getHeight());
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(Files.readAllBytes(png), 4));
    }
}
