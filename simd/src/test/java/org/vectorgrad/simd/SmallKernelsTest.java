package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scalar loops VectorKernels runs on tiny tensors give the vector paths' bits: exact ops
 * against the reference, sums against {@link VectorReductions} itself, on sizes 0, 1, tails
 * around the vector lengths and {@link SmallKernels#MAX}, 0-d, strided, broadcast and offset
 * operands; and shapes past the limit are left to the vector paths.
 */
final class SmallKernelsTest {
    private static final Kernels VECTOR = new VectorKernels();
    private static final Kernels SCALAR = new ScalarKernels();
    private static final int[] SIZES = {0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17};
    private static final float[] SPECIALS = {-0f, 0f, Float.NaN, Float.POSITIVE_INFINITY, -1e30f, 1e-30f, 3f};

    @Test
    void binaryOpsMatchTheReferenceBitForBit() {
        Random random = new Random(1);
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : SIZES) {
                float[] a = values(random, n + 3);
                float[] b = values(random, n + 3);
                // contiguous with offsets, b broadcast, a strided (reversed order not allowed: stride 1 or 2)
                assertZip(op, new int[] {n}, a, 2, new int[] {1}, b, 1, new int[] {1});
                assertZip(op, new int[] {n}, a, 0, new int[] {1}, b, 2, new int[] {0});
                assertZip(op, new int[] {n / 2}, a, 1, new int[] {2}, b, 0, new int[] {1});
            }
            float[] m = values(random, 12);
            assertZip(op, new int[] {}, m, 3, new int[] {}, m, 5, new int[] {});
            assertZip(op, new int[] {3, 4}, m, 0, new int[] {1, 3}, m, 0, new int[] {0, 1}); // transposed, row
            assertZip(op, new int[] {2, 1, 3}, m, 1, new int[] {3, 9, 1}, m, 2, new int[] {0, 0, 2});
        }
        float[] exponents = {2f, 3f, 0.5f, -0.5f, -1f, -2f, 1.5f, 0f};
        for (float e : exponents) {
            float[] a = values(random, 8);
            assertZip(BinaryOp.POW, new int[] {8}, a, 0, new int[] {1}, new float[] {e}, 0, new int[] {0});
        }
    }

    @Test
    void exactUnaryOpsAndCopiesMatchTheReference() {
        Random random = new Random(2);
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                float[] x = values(random, 2 * n + 2);
                assertMap(op, new int[] {n}, x, 1, new int[] {1});
                assertMap(op, new int[] {n}, x, 0, new int[] {2});
                assertMap(op, new int[] {2, n / 2}, x, 2, new int[] {1, 2});
            }
            assertMap(op, new int[] {}, new float[] {-0f, 4f}, 1, new int[] {});
        }
        for (int n : SIZES) {
            float[] src = values(random, 2 * n + 1);
            float[] expected = Floats.sentinels(2 * n + 3);
            float[] actual = expected.clone();
            SCALAR.copy(new int[] {n}, src, 1, new int[] {2}, expected, 2, new int[] {1});
            VECTOR.copy(new int[] {n}, src, 1, new int[] {2}, actual, 2, new int[] {1});
            assertBits(expected, actual, "copy n=" + n);
            SCALAR.copy(new int[] {2, n / 2}, src, 0, new int[] {0, 1}, expected, 0, new int[] {1, 2});
            VECTOR.copy(new int[] {2, n / 2}, src, 0, new int[] {0, 1}, actual, 0, new int[] {1, 2});
            assertBits(expected, actual, "broadcast copy into a transposed destination n=" + n);
        }
    }

    @Test
    void wholeSumsAddInTheVectorPathsOrder() {
        Random random = new Random(3);
        for (int n : SIZES) {
            for (int trial = 0; trial < 50; trial++) {
                float[] a = values(random, 2 * n + 1);
                assertSum(new int[] {n}, a, 1, new int[] {1}, new boolean[] {true});
                assertSum(new int[] {n}, a, 0, new int[] {2}, new boolean[] {true});
                assertSum(new int[] {1, n}, a, 0, new int[] {n, 1}, new boolean[] {false, true});
                assertSum(new int[] {n, 1}, a, 1, new int[] {1, 1}, new boolean[] {true, true});
            }
        }
        assertSum(new int[] {}, new float[] {-0f}, 0, new int[] {}, new boolean[] {});
        // Broadcast (stride 0) dimensions, as an expanded tensor presents them: a long stride-0
        // dimension beside another long one is two dimensions, not one row.
        float[] row = values(random, 4);
        assertSum(new int[] {2, 4}, row, 0, new int[] {0, 1}, new boolean[] {true, true});
        assertSum(new int[] {4, 2}, row, 0, new int[] {1, 0}, new boolean[] {true, true});
        assertSum(new int[] {5}, row, 2, new int[] {0}, new boolean[] {true});
    }

    @Test
    void leavesLargeShapesAndSeveralRowsToTheVectorPaths() {
        float[] big = new float[64];
        float[] dst = new float[64];
        assertFalse(SmallKernels.zip(BinaryOp.ADD, new int[] {17}, big, 0, new int[] {1}, big, 0, new int[] {1}, dst, 0));
        assertFalse(SmallKernels.zip(BinaryOp.ADD, new int[] {0, 1 << 30}, big, 0, new int[] {0, 1}, big, 0,
                new int[] {0, 1}, dst, 0));
        assertFalse(SmallKernels.map(UnaryOp.TANH, new int[] {2}, big, 0, new int[] {1}, dst, 0));
        assertFalse(SmallKernels.sum(new int[] {2, 2}, big, 0, new int[] {2, 1}, new boolean[] {true, true}, dst, 0));
        assertFalse(SmallKernels.sum(new int[] {2, 2}, big, 0, new int[] {2, 1}, new boolean[] {false, true}, dst, 0));
        assertTrue(SmallKernels.sum(new int[] {0, 5}, big, 0, new int[] {5, 1}, new boolean[] {true, true}, dst, 0));
        assertEquals(0f, dst[0]);
    }

    private static void assertZip(BinaryOp op, int[] shape, float[] a, int ao, int[] as, float[] b, int bo, int[] bs) {
        int n = Shapes.numel(shape);
        float[] expected = Floats.sentinels(n + 2);
        float[] actual = expected.clone();
        SCALAR.zip(op, shape, a, ao, as, b, bo, bs, expected, 1);
        VECTOR.zip(op, shape, a, ao, as, b, bo, bs, actual, 1);
        assertBits(expected, actual, op + " " + java.util.Arrays.toString(shape));
    }

    private static void assertMap(UnaryOp op, int[] shape, float[] x, int xo, int[] xs) {
        int n = Shapes.numel(shape);
        float[] expected = Floats.sentinels(n + 2);
        float[] actual = expected.clone();
        VECTOR.map(op, shape, x, xo, xs, actual, 1);
        if (op.isExact()) {
            SCALAR.map(op, shape, x, xo, xs, expected, 1);
            assertBits(expected, actual, op + " " + java.util.Arrays.toString(shape));
        }
    }

    private static void assertSum(int[] shape, float[] a, int ao, int[] as, boolean[] reduce) {
        float[] viaVectors = {Float.NaN};
        float[] viaSmall = {Float.NaN};
        VectorReductions.sum(shape, a, ao, as, reduce, viaVectors, 0);
        boolean taken = SmallKernels.sum(shape, a, ao, as, reduce, viaSmall, 0);
        // every machine with the Vector API has at least 4 double lanes
        assertTrue(taken || Shapes.numel(shape) > 4, "small sum not taken for " + java.util.Arrays.toString(shape));
        if (taken) {
            assertBits(viaVectors, viaSmall, "sum " + java.util.Arrays.toString(shape));
        }
    }

    private static void assertBits(float[] expected, float[] actual, String context) {
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Floats.same(expected[i], actual[i]), context + " at " + i + ": expected " + expected[i]
                    + ", got " + actual[i]);
        }
    }

    private static float[] values(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(4) == 0 ? SPECIALS[random.nextInt(SPECIALS.length)]
                    : (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
        }
        return v;
    }
}
