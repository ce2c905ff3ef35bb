package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reference itself, against hand-checked values and independent double-precision math, and
 * its documented edge semantics (empty reductions are 0, NaN wins in max with its first index).
 */
final class ScalarKernelsTest {
    private static final Kernels K = new ScalarKernels();
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    @Test
    void mapAppliesEachOpsDefinition() {
        float[] x = {-2f, -0f, 0f, 3f, NAN};
        assertMap(UnaryOp.NEG, x, 2f, 0f, -0f, -3f, NAN);
        assertMap(UnaryOp.ABS, x, 2f, 0f, 0f, 3f, NAN);
        assertMap(UnaryOp.SIGN, x, -1f, 0f, 0f, 1f, 0f);
        assertMap(UnaryOp.RELU, x, 0f, -0f, 0f, 3f, NAN);
        assertMap(UnaryOp.SQRT, new float[] {4f, 2f, -1f, INF}, 2f, (float) Math.sqrt(2), NAN, INF);
        assertMap(UnaryOp.EXP, new float[] {0f, 1f, -INF, 100f}, 1f, (float) Math.E, 0f, INF);
        assertMap(UnaryOp.LOG, new float[] {1f, 0f, -1f, INF}, 0f, -INF, NAN, INF);
        assertMap(UnaryOp.LOG1P, new float[] {0f, 1e-10f, -1f}, 0f, 1e-10f, -INF);
        assertMap(UnaryOp.SIN, new float[] {0f, (float) (Math.PI / 2)}, 0f, 1f);
        assertMap(UnaryOp.COS, new float[] {0f}, 1f);
        assertMap(UnaryOp.TANH, new float[] {0f, 100f, -100f}, 0f, 1f, -1f);
        assertMap(UnaryOp.SIGMOID, new float[] {0f, 100f, -100f, INF, -INF}, 0.5f, 1f,
                (float) (1 / (1 + Math.exp(100))), 1f, 0f);
    }

    @Test
    void zipAppliesEachOpsDefinitionWithBroadcasting() {
        float[] a = {1f, 2f, 3f, 4f, 5f, 6f};
        float[] row = {10f, 20f, 30f};
        float[] dst = new float[6];
        // [2, 3] + [3] (the row broadcast over dim 0) and [2, 3] * 2 (a scalar)
        K.zip(BinaryOp.ADD, new int[] {2, 3}, a, 0, new int[] {3, 1}, row, 0, new int[] {0, 1}, dst, 0);
        assertArrayEquals(new float[] {11f, 22f, 33f, 14f, 25f, 36f}, dst);
        K.zip(BinaryOp.MUL, new int[] {2, 3}, a, 0, new int[] {3, 1}, new float[] {2f}, 0, new int[] {0, 0}, dst, 0);
        assertArrayEquals(new float[] {2f, 4f, 6f, 8f, 10f, 12f}, dst);
        assertZip(BinaryOp.SUB, 1f, 3f, -2f);
        assertZip(BinaryOp.DIV, 1f, 0f, INF);
        assertZip(BinaryOp.MAXIMUM, NAN, 1f, NAN);
        assertZip(BinaryOp.MINIMUM, -0f, 0f, -0f);
        assertZip(BinaryOp.EQ, NAN, NAN, 0f);
        assertZip(BinaryOp.NE, NAN, NAN, 1f);
        assertZip(BinaryOp.LT, 1f, 2f, 1f);
        assertZip(BinaryOp.LE, 2f, 2f, 1f);
        assertZip(BinaryOp.GT, 1f, 2f, 0f);
        assertZip(BinaryOp.GE, NAN, 2f, 0f);
    }

    // PyTorch's exact forms: x**3 is (x*x)*x rounded twice, not pow's single rounding.
    @Test
    void powUsesTheExactFormsOfTheSpecialExponents() {
        assertZip(BinaryOp.POW, 2f, 3f, 8f);
        assertZip(BinaryOp.POW, 4f, 0.5f, 2f);
        assertZip(BinaryOp.POW, 4f, -0.5f, 0.5f);
        assertZip(BinaryOp.POW, 4f, -1f, 0.25f);
        assertZip(BinaryOp.POW, 4f, -2f, 0.0625f);
        assertZip(BinaryOp.POW, -2f, 2f, 4f);
        assertZip(BinaryOp.POW, 2f, 10f, 1024f);
        assertZip(BinaryOp.POW, 1f, NAN, NAN);
        Random random = new Random(1);
        int differing = 0;
        for (int i = 0; i < 10_000; i++) {
            float x = random.nextFloat() * 10f;
            float cube = x * x * x;
            assertZip(BinaryOp.POW, x, 3f, cube);
            differing += cube != (float) Math.pow(x, 3) ? 1 : 0;
        }
        assertTrue(differing > 0, "some cubes differ from pow's rounding, so the form matters");
    }

    @Test
    void whereTreatsOnlyZerosAsFalse() {
        float[] cond = {0f, -0f, 1f, NAN, -2f};
        float[] dst = new float[5];
        K.where(new int[] {5}, cond, 0, new int[] {1}, new float[] {1f, 2f, 3f, 4f, 5f}, 0, new int[] {1},
                new float[] {-1f}, 0, new int[] {0}, dst, 0);
        assertArrayEquals(new float[] {-1f, -1f, 3f, 4f, 5f}, dst);
    }

    @Test
    void copyGathersAndScattersTransposedViews() {
        float[] src = {1f, 2f, 3f, 4f, 5f, 6f};
        float[] dst = new float[7];
        // the transpose of the 2x3 matrix src, a 3x2 view, written contiguously from offset 1
        K.copy(new int[] {3, 2}, src, 0, new int[] {1, 3}, dst, 1, new int[] {2, 1});
        assertArrayEquals(new float[] {0f, 1f, 4f, 2f, 5f, 3f, 6f}, dst);
        // the 2x3 matrix written into the transposed view of a 3x2 destination
        float[] scattered = new float[7];
        K.copy(new int[] {2, 3}, src, 0, new int[] {3, 1}, scattered, 1, new int[] {1, 2});
        assertArrayEquals(new float[] {0f, 1f, 4f, 2f, 5f, 3f, 6f}, scattered);
    }

    /**
     * Planes of contiguous rows into a padded layout and back (a convolution's padding and
     * cropping copies), against an element-by-element loop: sizes 0 and 1, rank 2 and 3, and a
     * copy large enough for the parallel row walk.
     */
    @Test
    void copyOfShortRowsMatchesAnElementLoop() {
        int[][] shapes = {{0, 3, 4}, {2, 3, 0}, {1, 1, 1}, {3, 14, 14}, {2, 5, 7}, {1, 300, 600}};
        java.util.Random random = new java.util.Random(3);
        for (int[] shape : shapes) {
            int[] srcStrides = {shape[1] * shape[2], shape[2], 1};
            int[] dstStrides = {(shape[1] + 2) * (shape[2] + 1) + 2, shape[2] + 1, 1};
            float[] src = Values.GAUSSIAN.fill(random, new float[shape[0] * shape[1] * shape[2] + 2]);
            float[] expected = new float[shape[0] * dstStrides[0] + 5];
            for (int c = 0; c < shape[0]; c++) {
                for (int h = 0; h < shape[1]; h++) {
                    for (int w = 0; w < shape[2]; w++) {
                        expected[3 + c * dstStrides[0] + h * dstStrides[1] + w] =
                                src[1 + c * srcStrides[0] + h * srcStrides[1] + w];
                    }
                }
            }
            float[] padded = new float[expected.length];
            K.copy(shape, src, 1, srcStrides, padded, 3, dstStrides);
            assertArrayEquals(expected, padded, java.util.Arrays.toString(shape) + " into padded planes");
            float[] planes = new float[src.length];
            int[] rows = {shape[1], shape[2]};
            K.copy(shape[0] == 1 ? rows : shape, padded, 3, shape[0] == 1 ? new int[] {dstStrides[1], 1} : dstStrides,
                    planes, 1, shape[0] == 1 ? new int[] {srcStrides[1], 1} : srcStrides);
            planes[0] = src[0];
            planes[planes.length - 1] = src[src.length - 1];
            assertArrayEquals(src, planes, java.util.Arrays.toString(shape) + " cropped back");
        }
        // Empty rows into an empty tensor: nothing is copied, and no row position is checked.
        K.copy(new int[] {2, 3, 0}, new float[0], 0, new int[] {3, 1, 1}, new float[0], 0, new int[] {3, 1, 1});
    }

    @Test
    void sumMatchesADoubleLoopAndEmptySumsAreZero() {
        float[] a = {1f, 2f, 3f, 4f, 5f, 6f};
        float[] dst = new float[3];
        K.sum(new int[] {2, 3}, a, 0, new int[] {3, 1}, new boolean[] {true, false}, dst, 0);
        assertArrayEquals(new float[] {5f, 7f, 9f}, dst);
        K.sum(new int[] {2, 3}, a, 0, new int[] {3, 1}, new boolean[] {false, true}, dst, 1);
        assertArrayEquals(new float[] {5f, 6f, 15f}, dst);
        K.sum(new int[] {2, 3}, a, 0, new int[] {3, 1}, new boolean[] {true, true}, dst, 0);
        assertEquals(21f, dst[0]);
        K.sum(new int[] {0}, a, 0, new int[] {1}, new boolean[] {true}, dst, 0);
        assertEquals(0f, dst[0], "empty sum");
        K.sum(new int[] {2, 0}, a, 0, new int[] {0, 1}, new boolean[] {false, true}, dst, 0);
        assertArrayEquals(new float[] {0f, 0f, 15f}, dst, "sums over an empty dimension");
        float[] random = Values.GAUSSIAN.fill(new Random(2), new float[10_000]);
        double exact = 0;
        for (float x : random) {
            exact += x;
        }
        K.sum(new int[] {100, 100}, random, 0, new int[] {100, 1}, new boolean[] {true, true}, dst, 0);
        assertEquals((float) exact, dst[0]);
        assertEquals(0f, K.sumOfSquares(new int[] {0, 3}, a, 0, new int[] {3, 1}), "empty sum of squares");
        assertEquals(25f, K.sumOfSquares(new int[] {2}, new float[] {3f, 4f}, 0, new int[] {1}));
    }

    @Test
    void maxReturnsTheFirstMaximumAndNaNWins() {
        assertMax(new float[] {1f, 3f, 3f, 2f}, 3f, 1);
        assertMax(new float[] {1f, NAN, 5f, NAN}, NAN, 1);
        assertMax(new float[] {-INF, -INF}, -INF, 0);
        assertMax(new float[] {-0f, 0f}, -0f, 0);
        assertMax(new float[] {7f}, 7f, 0);
        Random random = new Random(3);
        float[] a = Values.GAUSSIAN.fill(random, new float[12]);
        float[] values = new float[4];
        float[] indices = new float[4];
        // max over dim 0 of a 3x4 matrix: a linear scan down each column
        K.max(new int[] {3, 4}, a, 0, new int[] {4, 1}, 0, values, 0, indices, 0);
        for (int j = 0; j < 4; j++) {
            int best = 0;
            for (int i = 1; i < 3; i++) {
                best = a[i * 4 + j] > a[best * 4 + j] ? i : best;
            }
            assertEquals(a[best * 4 + j], values[j]);
            assertEquals(best, indices[j]);
        }
        K.max(new int[] {3, 4}, a, 0, new int[] {4, 1}, 1, values, 0, null, 0);
    }

    @Test
    void softmaxRowsSumToOneAndMatchHandValues() {
        float[] a = {0f, (float) Math.log(3), 0f, -INF, -INF, 5f, -INF, -INF, -INF};
        float[] hand = new float[9];
        K.softmax(new int[] {3, 3}, a, 0, new int[] {3, 1}, 1, false, hand, 0);
        assertEquals(0.2f, hand[0], 1e-7f);
        assertEquals(0.6f, hand[1], 1e-7f);
        assertEquals(0f, hand[3]);
        assertEquals(1f, hand[5]);
        assertTrue(Float.isNaN(hand[6]) && Float.isNaN(hand[8]), "an all -inf line is NaN");
        float[] random = Values.GAUSSIAN.fill(new Random(4), new float[5 * 7]);
        // along dim 0 of a 5x7 matrix: each column sums to 1, and log-softmax exponentiates to it
        float[] dst = new float[35];
        K.softmax(new int[] {5, 7}, random, 0, new int[] {7, 1}, 0, false, dst, 0);
        float[] logs = new float[35];
        K.softmax(new int[] {5, 7}, random, 0, new int[] {7, 1}, 0, true, logs, 0);
        for (int j = 0; j < 7; j++) {
            double sum = 0;
            for (int i = 0; i < 5; i++) {
                sum += dst[i * 7 + j];
                assertEquals(dst[i * 7 + j], Math.exp(logs[i * 7 + j]), 1e-6);
            }
            assertEquals(1.0, sum, 1e-6);
        }
    }

    @Test
    void matmulMatchesANaiveDoubleTripleLoop() {
        float[] a = {1f, 2f, 3f, 4f};
        float[] b = {5f, 6f, 7f, 8f};
        float[] c = {100f, 100f, -1f, 100f, 100f};
        K.matmul(2, 2, 2, a, 0, 2, 1, b, 0, 2, 1, c, 0, 3, false);
        assertArrayEquals(new float[] {19f, 22f, -1f, 43f, 50f}, c);
        // Aᵀ·B via strides, accumulated
        K.matmul(2, 2, 2, a, 0, 1, 2, b, 0, 2, 1, c, 0, 3, true);
        assertArrayEquals(new float[] {19f + 26f, 22f + 30f, -1f, 43f + 38f, 50f + 44f}, c);
        Random random = new Random(5);
        int m = 7;
        int n = 9;
        int k = 13;
        float[] x = Values.GAUSSIAN.fill(random, new float[m * k]);
        float[] y = Values.GAUSSIAN.fill(random, new float[k * n]);
        float[] z = new float[m * n];
        K.matmul(m, n, k, x, 0, k, 1, y, 0, 1, k, z, 0, n, false);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) x[i * k + p] * y[j * k + p];
                }
                assertEquals((float) sum, z[i * n + j]);
            }
        }
    }

    private static void assertMap(UnaryOp op, float[] x, float... expected) {
        float[] dst = new float[x.length];
        K.map(op, new int[] {x.length}, x, 0, new int[] {1}, dst, 0);
        for (int i = 0; i < x.length; i++) {
            assertTrue(Floats.same(expected[i], dst[i]), op + "(" + x[i] + ") = " + dst[i] + ", expected " + expected[i]);
        }
    }

    private static void assertZip(BinaryOp op, float x, float y, float expected) {
        float[] dst = new float[1];
        K.zip(op, new int[0], new float[] {x}, 0, new int[0], new float[] {y}, 0, new int[0], dst, 0);
        assertTrue(Floats.same(expected, dst[0]), op + "(" + x + ", " + y + ") = " + dst[0] + ", expected " + expected);
    }

    private static void assertMax(float[] line, float value, int index) {
        float[] values = new float[1];
        float[] indices = new float[1];
        K.max(new int[] {line.length}, line, 0, new int[] {1}, 0, values, 0, indices, 0);
        assertTrue(Floats.same(value, values[0]), "max " + values[0] + ", expected " + value);
        assertEquals(index, indices[0]);
    }
}
