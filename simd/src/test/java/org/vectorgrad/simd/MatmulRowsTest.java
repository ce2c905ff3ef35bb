package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code matmulRows} (products whose A columns and B rows lie anywhere, several A shifts sharing
 * B) against the scalar reference's double sums, within the GEMM's tolerance
 * ((k + 3)·2⁻²⁴ of the sum of |products|); on overlapping windows of one array as a
 * convolution's channels-last input uses them; with tails around the register tile (rows not a
 * multiple of the tile, a last partial panel), sizes 0 and 1, accumulation, a C row stride wider
 * than n, and products large enough for the parallel path, bit-identical for 1 and 4 threads.
 */
final class MatmulRowsTest {
    private static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;

    @ParameterizedTest(name = "m={0} n={1} k={2} shifts={3}")
    @CsvSource({"1,1,1,1", "0,5,3,2", "5,0,3,2", "5,3,0,2", "4,32,16,3", "12,32,7,9", "16,32,300,9", "13,33,65,2",
        "17,17,1,1", "24,64,257,4", "20,32,40,2", "32,64,33,3", "5,31,129,3", "64,128,600,9", "3,1,5,1", "1,100,40,2",
        "8,40,50,2", "4,40,50,3", "20,8,30,1"})
    void matchesTheScalarReference(int m, int n, int k, int shifts) {
        Random random = new Random(m * 131 + n * 17 + k * 3 + shifts);
        Product p = Product.random(m, n, k, shifts, random);
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] initial = p.initialC(random);
            float[] expected = initial.clone();
            float[] actual = initial.clone();
            p.run(SCALAR, expected, accumulate);
            p.run(VECTOR, actual, accumulate);
            p.assertClose(initial, expected, actual, accumulate);
        }
    }

    @Test
    void theThreadCountChangesNoBit() {
        Random random = new Random(7);
        Product p = Product.random(40, 96, 3000, 9, random);
        float[] one = p.initialC(random);
        float[] four = one.clone();
        Parallel.withThreads(1, () -> p.run(VECTOR, one, true));
        Parallel.withThreads(4, () -> p.run(VECTOR, four, true));
        assertArrayEquals(one, four);
    }

    @Test
    void depthZeroClearsCUnlessAccumulating() {
        Random random = new Random(3);
        Product p = Product.random(5, 7, 0, 2, random);
        float[] c = p.initialC(random);
        float[] kept = c.clone();
        p.run(VECTOR, kept, true);
        assertArrayEquals(c, kept);
        p.run(VECTOR, c, false);
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 7; j++) {
                    assertEquals(0f, c[p.cOffset + (s * 5 + i) * p.cRowStride + j]);
                }
            }
        }
    }

    /**
     * One product over a single array of "positions" (a window of m elements at aRows[p] +
     * shift, consecutive positions overlapping as a channels-last image's do), B the same with n.
     */
    private static final class Product {
        final int m;
        final int n;
        final int k;
        final float[] a;
        final int[] aRows;
        final int[] shifts;
        final float[] b;
        final int[] bRows;
        final int cOffset = 3;
        final int cRowStride;

        private Product(int m, int n, int k, float[] a, int[] aRows, int[] shifts, float[] b, int[] bRows) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.a = a;
            this.aRows = aRows;
            this.shifts = shifts;
            this.b = b;
            this.bRows = bRows;
            this.cRowStride = n + 2;
        }

        static Product random(int m, int n, int k, int shifts, Random random) {
            int[] shift = new int[shifts];
            for (int s = 0; s < shifts; s++) {
                shift[s] = s * Math.max(1, m / 2);
            }
            int[] aRows = new int[k];
            int[] bRows = new int[k];
            for (int p = 0; p < k; p++) {
                aRows[p] = random.nextInt(4 * k + 1);
                bRows[p] = random.nextInt(3 * k + 1);
            }
            if (k > 0) {
                // The last depth entry at the arrays' very ends: a tile reading past the rows faults.
                aRows[k - 1] = 4 * k;
                bRows[k - 1] = 3 * k;
            }
            float[] a = randomArray(4 * k + 1 + shift[Math.max(0, shifts - 1)] + m, random);
            float[] b = randomArray(3 * k + 1 + n, random);
            return new Product(m, n, k, a, aRows, shift, b, bRows);
        }

        private static float[] randomArray(int length, Random random) {
            float[] v = new float[length];
            for (int i = 0; i < length; i++) {
                v[i] = (float) random.nextGaussian();
            }
            return v;
        }

        float[] initialC(Random random) {
            return randomArray(cOffset + shifts.length * m * cRowStride + 5, random);
        }

        void run(Kernels kernels, float[] c, boolean accumulate) {
            kernels.matmulRows(m, n, k, a, aRows, shifts, b, bRows, c, cOffset, cRowStride, accumulate);
        }

        /** Within tolerance inside C; every element outside C (row gaps, both ends) as it was. */
        void assertClose(float[] initial, float[] expected, float[] actual, boolean accumulate) {
            boolean[] inside = new boolean[actual.length];
            for (int s = 0; s < shifts.length; s++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        int at = cOffset + (s * m + i) * cRowStride + j;
                        inside[at] = true;
                        double magnitude = accumulate ? Math.abs(initial[at]) : 0;
                        for (int p = 0; p < k; p++) {
                            magnitude += Math.abs((double) a[aRows[p] + shifts[s] + i] * b[bRows[p] + j]);
                        }
                        double tolerance = (k + 3) * 0x1p-24 * magnitude;
                        assertTrue(Math.abs(expected[at] - actual[at]) <= tolerance, () -> "C[" + at + "] = "
                                + actual[at] + ", expected " + expected[at] + " within " + tolerance);
                    }
                }
            }
            for (int at = 0; at < actual.length; at++) {
                if (!inside[at]) {
                    assertEquals(initial[at], actual[at], "written outside C at " + at);
                }
            }
        }
    }
}
