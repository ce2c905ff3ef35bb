package org.vectorgrad.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.Tensor;

class CheckpointTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> model() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("0.weight", Tensor.arange(6).reshape(2, 3));
        state.put("0.bias", Tensor.of(1f, 2f));
        return state;
    }

    @Test
    void splitsModelAndOptimizerStateAndKeepsMetadata() throws IOException {
        Path file = dir.resolve("run/cnn.safetensors");
        Checkpoint.save(file, model(), Map.of("0.momentum_buffer", Tensor.ones(2, 3)), Map.of("epoch", "2"));
        Checkpoint.Contents back = Checkpoint.load(file);
        assertEquals(List.of("0.weight", "0.bias"), List.copyOf(back.model().keySet()));
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, back.model().get("0.weight").toArray());
        assertEquals(List.of("0.momentum_buffer"), List.copyOf(back.optimizer().keySet()));
        assertEquals("2", back.require("epoch"));
        assertEquals(Checkpoint.FORMAT, back.metadata().get(Checkpoint.FORMAT_KEY));
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> back.require("history"));
        assertTrue(e.getMessage().contains("lacks 'history'"), e.getMessage());
        // The plain safetensors view carries PyTorch-style prefixed names.
        assertTrue(Safetensors.read(file).tensors().containsKey("model.0.weight"));
    }

    @Test
    void aPlainSafetensorsFileIsNotACheckpoint() throws IOException {
        Path file = dir.resolve("weights.safetensors");
        Safetensors.write(file, model(), Map.of());
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().contains("not a Vectorgrad checkpoint: expected __metadata__ format = "
                + Checkpoint.FORMAT + ", found none"), e.getMessage());
        Safetensors.write(file, Map.of("stray", Tensor.of(1f)), Map.of(Checkpoint.FORMAT_KEY, Checkpoint.FORMAT));
        e = assertThrows(SafetensorsFormatException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().contains("tensor 'stray' is neither"), e.getMessage());
    }

    @Test
    void checkMatchesNamesTheFirstDifference() throws SafetensorsFormatException {
        Path file = dir.resolve("x.safetensors");
        Map<String, Tensor> expected = model();
        Checkpoint.checkMatches(file, "model", model(), expected);

        Map<String, Tensor> missing = new LinkedHashMap<>(model());
        missing.remove("0.bias");
        assertMessage(() -> Checkpoint.checkMatches(file, "model", missing, expected),
                file + ": model state lacks tensor '0.bias' of shape [2]");

        Map<String, Tensor> reshaped = new LinkedHashMap<>(model());
        reshaped.put("0.weight", Tensor.zeros(3, 2));
        assertMessage(() -> Checkpoint.checkMatches(file, "model", reshaped, expected),
                "model tensor '0.weight' has shape [3, 2], expected [2, 3]");

        Map<String, Tensor> extra = new LinkedHashMap<>(model());
        extra.put("1.weight", Tensor.zeros(1));
        assertMessage(() -> Checkpoint.checkMatches(file, "model", extra, expected), "unexpected tensor '1.weight'");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
