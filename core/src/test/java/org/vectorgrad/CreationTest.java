package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The factories: they copy what they are given, produce the documented values and shapes, and
 * the random ones are seedable and agree with PyTorch's default generator.
 */
final class CreationTest {

    /** Fresh tensors are plain float leaves, as PyTorch's factories return them. */
    private static void assertFreshLeaf(Tensor t, int... shape) {
        assertArrayEquals(shape, t.shape(), "shape");
        assertEquals(DType.FLOAT32, t.dtype());
        assertFalse(t.requiresGrad());
        assertTrue(t.isLeaf());
        assertTrue(t.isContiguous());
    }

    @Test
    void ofCopiesItsValues() {
        float[] values = {1f, 2f, 3f};
        Tensor t = Tensor.of(values);
        values[0] = 99f;
        assertFreshLeaf(t, 3);
        assertArrayEquals(new float[] {1f, 2f, 3f}, t.toArray());
        assertFreshLeaf(Tensor.of(), 0);
    }

    @Test
    void ofRowsCopiesItsRows() {
        float[][] rows = {{1f, 2f, 3f}, {4f, 5f, 6f}};
        Tensor t = Tensor.of(rows);
        rows[1][2] = 99f;
        rows[0] = new float[] {7f, 7f, 7f};
        assertFreshLeaf(t, 2, 3);
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, t.toArray());
        assertEquals(6f, t.get(1, 2));
        assertFreshLeaf(Tensor.of(new float[][] {{}, {}}), 2, 0);
    }

    @Test
    void fromArrayCopiesItsDataAndShape() {
        float[] data = {1f, 2f, 3f, 4f, 5f, 6f};
        int[] shape = {3, 2};
        Tensor t = Tensor.fromArray(data, shape);
        data[5] = 99f;
        shape[0] = 1;
        assertFreshLeaf(t, 3, 2);
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, t.toArray());
        assertEquals(4f, t.get(1, 1));
        assertFreshLeaf(Tensor.fromArray(new float[] {5f}), new int[0]);
        assertFreshLeaf(Tensor.fromArray(new float[0], 2, 0, 4), 2, 0, 4);
    }

    /** shape() and stride() hand out copies: scribbling on them must not reshape the tensor. */
    @Test
    void shapeArraysAreNotShared() {
        int[] shape = {2, 2};
        Tensor z = Tensor.zeros(shape);
        shape[1] = 3;
        z.shape()[0] = 5;
        z.stride()[0] = 0;
        assertFreshLeaf(z, 2, 2);
        assertArrayEquals(new int[] {2, 1}, z.stride());
        int[] randShape = {3};
        Tensor r = Tensor.rand(randShape);
        randShape[0] = 0;
        assertArrayEquals(new int[] {3}, r.shape());
    }

    @Test
    void scalarIsZeroDimensional() {
        Tensor s = Tensor.scalar(-2.5f);
        assertFreshLeaf(s, new int[0]);
        assertEquals(1, s.numel());
        assertEquals(0, s.dim());
        assertEquals(-2.5f, s.item());
        assertEquals(-2.5f, s.get());
    }

    @Test
    void zerosOnesAndFullFillTheirShape() {
        assertFreshLeaf(Tensor.zeros(2, 3), 2, 3);
        assertArrayEquals(new float[6], Tensor.zeros(2, 3).toArray());
        assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, Tensor.ones(4, 1).toArray());
        assertArrayEquals(new float[] {2.5f, 2.5f}, Tensor.full(2.5f, 1, 2).toArray());
        assertFreshLeaf(Tensor.ones(), new int[0]);
        assertEquals(1f, Tensor.ones().item());
        assertFreshLeaf(Tensor.zeros(3, 0), 3, 0);
        assertEquals(0, Tensor.full(7f, 0).toArray().length);
        assertTrue(Float.isNaN(Tensor.full(Float.NaN, 2).get(1)));
        assertEquals(Float.NEGATIVE_INFINITY, Tensor.full(Float.NEGATIVE_INFINITY).item());
    }

    /** torch.full((2,), -0.) is tensor([-0., -0.]): the sign of zero is a value like any other. */
    @Test
    void fullKeepsTheSignOfZero() {
        for (float v : Tensor.full(-0f, 2).toArray()) {
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v), "expected -0.0, got " + v);
        }
        assertEquals("tensor([-0., -0.])", Tensor.full(-0f, 2).toString());
    }

    @Test
    void arangeCountsFromZero() {
        assertFreshLeaf(Tensor.arange(5), 5);
        assertArrayEquals(new float[] {0f, 1f, 2f, 3f, 4f}, Tensor.arange(5).toArray());
        assertFreshLeaf(Tensor.arange(0), 0);
        assertEquals(1 << 20, Tensor.arange(1 << 20).get(-1) + 1f);
    }

    @Test
    void eyeHasOnesOnTheDiagonal() {
        Tensor eye = Tensor.eye(3);
        assertFreshLeaf(eye, 3, 3);
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, eye.toArray());
        assertFreshLeaf(Tensor.eye(0), 0, 0);
        assertArrayEquals(new float[] {1f}, Tensor.eye(1).toArray());
    }

    @Test
    void randIsInTheUnitIntervalAndShaped() {
        Tensor r = Tensor.rand(64, 65);
        assertFreshLeaf(r, 64, 65);
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : r.toArray()) {
            assertTrue(v >= 0f && v < 1f, "rand gave " + v);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min < 0.01f && max > 0.99f, "4160 uniform samples should span [0, 1): " + min + ".." + max);
        assertFreshLeaf(Tensor.rand(), new int[0]);
        assertFreshLeaf(Tensor.randn(2, 0), 2, 0);
    }

    @Test
    void manualSeedMakesRandAndRandnReproducible() {
        Tensor.manualSeed(1234);
        float[] u = Tensor.rand(7, 3).toArray();
        float[] n = Tensor.randn(33).toArray();
        float[] later = Tensor.rand(5).toArray();
        Tensor.manualSeed(1234);
        assertArrayEquals(u, Tensor.rand(7, 3).toArray());
        assertArrayEquals(n, Tensor.randn(33).toArray());
        assertArrayEquals(later, Tensor.rand(5).toArray());
        Tensor.manualSeed(1235);
        assertNotEquals(u[0], Tensor.rand(1).item());
    }

    /**
     * Bits printed by PyTorch 1.13.0a0 (/usr/bin/python3) for
     * {@code torch.manual_seed(0); torch.randn(3)} = tensor([ 1.5410, -0.2934, -2.1788]) and
     * {@code torch.manual_seed(0); torch.rand(3)} = tensor([0.4963, 0.7682, 0.0885]).
     */
    @Test
    void seededRandomTensorsEqualPyTorchs() {
        Tensor.manualSeed(0);
        assertBits(new int[] {0x3fc53f5c, 0xbe963c50, 0xc00b7149}, Tensor.randn(3));
        Tensor.manualSeed(0);
        assertBits(new int[] {0x3efe1558, 0x3f44aa2f, 0x3db533a8}, Tensor.rand(3));
    }

    private static void assertBits(int[] expected, Tensor actual) {
        float[] values = actual.toArray();
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        assertArrayEquals(expected, bits, () -> "got " + actual);
    }
}
