package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrowsExactly;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tensors from and to double and int arrays. PyTorch's rounding and truncation of ordinary values
 * are checked against its fixture in {@link InteropPyTorchTest}; this covers shapes, layouts,
 * copying, and the values that have no int.
 */
final class ConversionsTest {

    @Test
    void fromArrayCopiesAndRoundsToFloat() {
        double[] data = {0.1, -2.5, 1e-3, 7, 1.0 / 3, 1e39};
        Tensor t = Tensor.fromArray(data, 2, 3);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {0.1f, -2.5f, 1e-3f, 7f, 1f / 3, Float.POSITIVE_INFINITY}, t.toArray());
        data[0] = 99;
        assertEquals(0.1f, t.get(0, 0), "the tensor must not share the caller's array");
        assertEquals(0, Tensor.fromArray(new double[0], 0, 4).numel());
        assertEquals(4.5f, Tensor.fromArray(new double[] {4.5}).item(), "no shape: 0-d");
    }

    @Test
    void ofRowsBuildsAMatrix() {
        Tensor t = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toArray());
        assertArrayEquals(new int[] {0, 0}, Tensor.of(new double[0][]).shape(), "as of(float[][])");
        assertArrayEquals(new int[] {3, 0}, Tensor.of(new double[3][0]).shape());
    }

    @Test
    void raggedAndNullRowsAreNamed() {
        String ragged = assertThrowsExactly(IllegalArgumentException.class,
                () -> Tensor.of(new double[][] {{1, 2}, {3, 4}, {5}})).getMessage();
        assertTrue(ragged.contains("expected sequence of length 2 at dim 1 (got 1)") && ragged.contains("row 2"),
                ragged);
        String nullRow = assertThrowsExactly(IllegalArgumentException.class,
                () -> Tensor.of(new double[][] {{1, 2}, null})).getMessage();
        assertTrue(nullRow.contains("row 1 is null"), nullRow);
    }

    @Test
    void toDoubleArrayIsRowMajorAndExactForEveryLayout() {
        Tensor t = Tensor.fromArray(new float[] {0.1f, 2, 3, -4, 5, 6}, 2, 3).t();
        assertFalse(t.isContiguous());
        assertArrayEquals(new double[] {0.1f, -4, 2, 5, 3, 6}, t.toDoubleArray());
        assertArrayEquals(new double[] {1, 0}, Tensor.of(1f, 0f).gt(Tensor.scalar(0.5f)).toDoubleArray());
        assertArrayEquals(new double[] {2.5}, Tensor.scalar(2.5f).toDoubleArray());
    }

    @Test
    void toIntArrayTruncatesTowardZeroInRowMajorOrder() {
        Tensor t = Tensor.fromArray(new float[] {2.7f, -2.7f, 0.5f, -0.5f, -0f, 7}, 3, 2).t();
        assertArrayEquals(new int[] {2, 0, 0, -2, 0, 7}, t.toIntArray());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, 2147483520}, Tensor.of(-0x1p31f, 2147483520f).toIntArray(),
                "the extremes of the int range that float32 can hold");
        Tensor logits = Tensor.fromArray(new float[] {0.1f, 0.9f, 0.3f, 0.8f, 0.2f, 0.5f}, 2, 3);
        assertArrayEquals(new int[] {1, 0}, logits.argmax(1, false).toIntArray(), "predicted classes as int[]");
    }

    /** PyTorch's .int() gives -2^31 for these on x86 (the C++ conversion is undefined); this refuses. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0x1p31f, -0x1p32f, 3e9f})
    void valuesWithoutAnIntAreRefusedWithTheirPosition(float bad) {
        Tensor t = Tensor.fromArray(new float[] {1, 2, 3, bad}, 2, 2);
        String message = assertThrowsExactly(ArithmeticException.class, t::toIntArray).getMessage();
        assertTrue(message.contains("element [1, 1]") && message.contains(String.valueOf(bad))
                && message.contains("[2, 2]"), message);
    }
}
