package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;

/**
 * Wrong input to a layer is refused with PyTorch 1.13's message (recorded from PyTorch for the same
 * call) before anything runs: neither the input nor the layer's state changes.
 */
class LayerErrorTest {

    private static void assertRefused(String message, Module layer, int... shape) {
        Tensor x = Tensor.randn(shape);
        float[] input = x.toArray();
        List<float[]> state = new ArrayList<>();
        layer.stateDict().values().forEach(t -> state.add(t.toArray()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.forward(x));
        assertEquals(message, e.getMessage());
        assertArrayEquals(input, x.toArray(), "the input was modified");
        List<Tensor> after = List.copyOf(layer.stateDict().values());
        for (int i = 0; i < after.size(); i++) {
            assertArrayEquals(state.get(i), after.get(i).toArray(), "state entry " + i + " was modified");
        }
    }

    private static void assertRefused(String message, Supplier<Module> construction) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, construction::get).getMessage());
    }

    @Test
    void linear() {
        Linear linear = new Linear(5, 2);
        assertRefused("mat1 and mat2 shapes cannot be multiplied (4x3 and 5x2)", linear, 4, 3);
        assertRefused("mat1 and mat2 shapes cannot be multiplied (8x3 and 5x2)", linear, 2, 4, 3);
        assertRefused("mat1 and mat2 shapes cannot be multiplied (1x3 and 5x2)", linear, 3);
        assertRefused("mat1 and mat2 shapes cannot be multiplied (4x0 and 5x2)", linear, 4, 0);
        assertRefused("both arguments to matmul need to be at least 1D, but they are 0D and 2D", linear);
        assertRefused("Trying to create tensor with negative dimension -1: [3, -1]", () -> new Linear(-1, 3));
    }

    @Test
    void conv2d() {
        Conv2d conv = new Conv2d(3, 4, 3);
        assertRefused("Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 2, 8, 8] to have 3 channels,"
                + " but got 2 channels instead", conv, 1, 2, 8, 8);
        assertRefused("Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 2, 8, 8] to have 3 channels,"
                + " but got 2 channels instead", conv, 2, 8, 8);
        assertRefused("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 8]", conv, 8, 8);
        assertRefused("Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be"
                + " greater than actual input size", conv, 1, 3, 2, 2);
    }

    @Test
    void batchNorm() {
        assertRefused("expected 4D input (got 3D input)", new BatchNorm2d(3), 2, 3, 4);
        assertRefused("running_mean should contain 4 elements not 3", new BatchNorm2d(3), 2, 4, 4, 4);
        assertRefused("Expected more than 1 value per channel when training, got input size torch.Size([1, 3, 1, 1])",
                new BatchNorm2d(3), 1, 3, 1, 1);
        assertRefused("expected 2D or 3D input (got 4D input)", new BatchNorm1d(3), 2, 3, 4, 5);
        assertRefused("running_mean should contain 4 elements not 3", new BatchNorm1d(3), 2, 4);
        assertRefused("Expected more than 1 value per channel when training, got input size torch.Size([1, 3])",
                new BatchNorm1d(3), 1, 3);
    }

    @Test
    void poolingFlattenDropout() {
        assertRefused("pad should be at most half of kernel size, but got pad=2 and kernel_size=3",
                () -> new MaxPool2d(3, 2, 2));
        assertRefused("pad should be at most half of kernel size, but got pad=2 and kernel_size=3",
                () -> new AvgPool2d(3, 2, 2));
        assertRefused("dropout probability has to be between 0 and 1, but got 1.5", () -> new Dropout(1.5f));
        assertRefused("non-empty 3D or 4D (batch mode) tensor expected for input, got [8, 8]", new MaxPool2d(3, 2), 8, 8);
        assertRefused("non-empty 3D or 4D (batch mode) tensor expected for input, got [8]", new AdaptiveAvgPool2d(1), 8);
        assertRefused("Dimension out of range (expected to be in range of [-1, 0], but got 1)", new Flatten());
        assertRefused("Dimension out of range (expected to be in range of [-1, 0], but got 1)", new Flatten(), 3);
    }
}
