package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Kernels#matmulPacked} with a prepared A: bit-identical to {@link Kernels#matmul} (the same
 * FMA chain per element) wherever matmul takes the packed path, close to the scalar double
 * reference everywhere (sizes 0 and 1, tails of MR and NR, depths past one KC block, row- and
 * column-major and offset A, strided B, accumulate), and bit-identical for 1, 2, 3 and 8 threads
 * on products large enough to split. {@link Kernels#matmulPackedRows} equals matmulPacked on the
 * B its row table describes, gathered into a plain matrix (overlapping and out-of-order rows).
 */
@ExtendWith(RestoreThreads.class)
final class PackedMatrixTest {
    private static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;
    private static final int OFFSET = 5;

    private static final int[][] SHAPES = {
        {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {1, 1, 1}, {1, 7, 5}, {7, 1, 5}, {12, 32, 9}, {13, 33, 9},
        {25, 70, 300}, {5, 17, 513}, {64, 196, 144}, {16, 40, 20}, {36, 64, 270}, {37, 33, 20}, {20, 40, 300},
    };

    @Test
    void matchesMatmulAndTheScalarReference() {
        Random random = new Random(7);
        for (int[] s : SHAPES) {
            for (boolean columnMajor : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    for (int columnStep : new int[] {1, 2}) {
                        check(random, s[0], s[1], s[2], columnMajor, accumulate, columnStep);
                    }
                }
            }
        }
    }

    /**
     * B's columns {@code columnStep} apart: with contiguous columns and few rows of A the packed
     * product reads B's rows in place instead of packing them (matmul always packs), so the
     * comparison with matmul also pins that path to the packed one's bits.
     */
    private static void check(Random random, int m, int n, int k, boolean columnMajor, boolean accumulate,
                              int columnStep) {
        String context = m + "x" + n + "x" + k + (columnMajor ? " column-major A" : "") + (accumulate ? " +=" : "")
                + ", B columns " + columnStep + " apart";
        float[] a = Values.GAUSSIAN.fill(random, new float[OFFSET + m * k]);
        float[] b = Values.GAUSSIAN.fill(random, new float[OFFSET + 2 * k * n]);
        float[] c0 = Values.GAUSSIAN.fill(random, new float[OFFSET + m * (n + 3)]);
        int ars = columnMajor ? 1 : k;
        int acs = columnMajor ? m : 1;
        float[] expected = c0.clone();
        float[] packedResult = c0.clone();
        float[] reference = c0.clone();
        VECTOR.matmul(m, n, k, a, OFFSET, ars, acs, b, OFFSET, 2 * n, columnStep, expected, OFFSET, n + 3, accumulate);
        PackedMatrix packed = VECTOR.pack(m, k, a, OFFSET, ars, acs);
        assertEquals(m, packed.rows());
        assertEquals(k, packed.depth());
        VECTOR.matmulPacked(packed, n, b, OFFSET, 2 * n, columnStep, packedResult, OFFSET, n + 3, accumulate);
        SCALAR.matmulPacked(SCALAR.pack(m, k, a, OFFSET, ars, acs), n, b, OFFSET, 2 * n, columnStep, reference, OFFSET,
                n + 3, accumulate);
        boolean packedPath = m > 1 && n > 1;
        if (packedPath) {
            assertArrayEquals(expected, packedResult, context + ": same as matmul");
        }
        assertNearReference(reference, packedResult, k, context);
        // Packed into a recycled buffer full of NaN (and longer than needed) for this product's n
        // columns, so a row-major A is read in place: the same bits, and no stale element is read.
        float[] recycled = new float[VECTOR.packedLength(m, k, ars, acs, n) + 7];
        java.util.Arrays.fill(recycled, Float.NaN);
        float[] intoResult = c0.clone();
        VECTOR.matmulPacked(VECTOR.pack(m, k, a, OFFSET, ars, acs, n, recycled), n, b, OFFSET, 2 * n, columnStep,
                intoResult, OFFSET, n + 3, accumulate);
        assertArrayEquals(packedResult, intoResult, context + ": packed into a recycled buffer");
    }

    @Test
    void aBufferTooShortForThePackIsRejected() {
        int needed = VECTOR.packedLength(13, 9, 1, 13, 1);
        int slivers = (13 + GemmKernels.MR - 1) / GemmKernels.MR;
        assertEquals(slivers * GemmKernels.MR * 9, needed, "whole slivers of depth 9");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VECTOR.pack(13, 9, new float[13 * 9], 0, 1, 13, 1, new float[needed - 1]));
        assertEquals("pack: a 13x9 operand needs " + needed + " floats, got a buffer of " + (needed - 1), e.getMessage());
        long few = VectorMatmul.IN_PLACE_COLUMNS;
        if (GemmKernels.READS_ROWS) {
            assertEquals(GemmKernels.MR * 9, VECTOR.packedLength(13, 9, 9, 1, few),
                    "row-major: only the partial sliver");
            assertEquals(0, VECTOR.packedLength(2 * GemmKernels.MR, 9, 9, 1, few), "row-major whole slivers: nothing");
        }
        assertEquals(needed, VECTOR.packedLength(13, 9, 9, 1, few + 1), "many columns: every sliver packed");
        assertEquals(0, SCALAR.packedLength(13, 9, 9, 1, few), "the scalar kernels read A in place");
    }

    // Within the float error of a k-term sum of the scalar kernel's double-precision result.
    private static void assertNearReference(float[] reference, float[] actual, int k, String context) {
        for (int i = 0; i < reference.length; i++) {
            double bound = 1e-5 * (1 + Math.abs(reference[i])) * Math.sqrt(k + 1);
            assertTrue(Math.abs(reference[i] - actual[i]) <= bound, context + ": element " + i + " is "
                    + actual[i] + ", expected " + reference[i]);
        }
    }

    // The same bits from 1, 2, 3 and 8 kernel threads.
    private static void assertSameForEveryThreadCount(String context, Supplier<float[]> product) {
        float[] first = null;
        for (int threads : new int[] {1, 2, 3, 8}) {
            Parallel.setThreads(threads);
            float[] c = product.get();
            if (first == null) {
                first = c;
            }
            assertArrayEquals(first, c, context + ", " + threads + " threads");
        }
    }

    @Test
    void bitIdenticalForEveryThreadCount() {
        Random random = new Random(8);
        int[][] shapes = {{300, 70, 700}, {40, 900, 300}};
        for (int[] s : shapes) {
            float[] a = Values.GAUSSIAN.fill(random, new float[s[0] * s[2]]);
            float[] b = Values.GAUSSIAN.fill(random, new float[s[2] * s[1]]);
            assertSameForEveryThreadCount(s[0] + "x" + s[1] + "x" + s[2], () -> {
                float[] c = new float[s[0] * s[1]];
                VECTOR.matmulPacked(VECTOR.pack(s[0], s[2], a, 0, s[2], 1), s[1], b, 0, s[1], 1, c, 0, s[1], false);
                return c;
            });
        }
    }

    @Test
    void rowTableMatchesTheGatheredRows() {
        Random random = new Random(9);
        int[][] shapes = {
            {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {1, 1, 1}, {1, 7, 5}, {7, 1, 5}, {12, 32, 9}, {13, 33, 9},
            {25, 70, 300}, {5, 17, 513}, {32, 224, 144}, {16, 210, 288}, {64, 1000, 600},
        };
        for (int[] s : shapes) {
            for (boolean accumulate : new boolean[] {false, true}) {
                checkRowTable(random, s[0], s[1], s[2], accumulate, false);
            }
            checkRowTable(random, s[0], s[1], s[2], false, true);
        }
    }

    // Rows start anywhere in a shared buffer, overlapping one another like a padded image's shifted
    // windows; the same rows copied into a row-major B give the product to match.
    private static void checkRowTable(Random random, int m, int n, int k, boolean accumulate, boolean oneRow) {
        String context = m + "x" + n + "x" + k + (accumulate ? " +=" : "") + " through a row table"
                + (oneRow ? " naming one row k times (a broadcast B)" : "");
        float[] a = Values.GAUSSIAN.fill(random, new float[m * k]);
        float[] source = Values.GAUSSIAN.fill(random, new float[n + 2 * k + 7]);
        int[] rows = new int[k + 2]; // longer than k: the entries past k are not read
        float[] gathered = new float[k * n];
        for (int p = 0; p < k; p++) {
            rows[p] = oneRow && p > 0 ? rows[0] : random.nextInt(source.length - n + 1);
            System.arraycopy(source, rows[p], gathered, p * n, n);
        }
        rows[k] = -1;
        rows[k + 1] = Integer.MAX_VALUE;
        float[] c0 = Values.GAUSSIAN.fill(random, new float[m * (n + 3) + OFFSET]);
        float[] expected = c0.clone();
        float[] actual = c0.clone();
        float[] reference = c0.clone();
        PackedMatrix packed = VECTOR.pack(m, k, a, 0, k, 1);
        VECTOR.matmulPacked(packed, n, gathered, 0, n, 1, expected, OFFSET, n + 3, accumulate);
        VECTOR.matmulPackedRows(packed, n, source, rows, actual, OFFSET, n + 3, accumulate);
        assertArrayEquals(expected, actual, context + ": same as matmulPacked on the gathered B");
        float[] inPlace = c0.clone();
        PackedMatrix rowsInPlace = VECTOR.pack(m, k, a, 0, k, 1, n, new float[VECTOR.packedLength(m, k, k, 1, n)]);
        VECTOR.matmulPackedRows(rowsInPlace, n, source, rows, inPlace, OFFSET, n + 3, accumulate);
        assertArrayEquals(expected, inPlace, context + ": A's rows read in place");
        float[] scalarGathered = c0.clone();
        PackedMatrix scalarPacked = SCALAR.pack(m, k, a, 0, k, 1);
        SCALAR.matmulPacked(scalarPacked, n, gathered, 0, n, 1, scalarGathered, OFFSET, n + 3, accumulate);
        SCALAR.matmulPackedRows(scalarPacked, n, source, rows, reference, OFFSET, n + 3, accumulate);
        assertArrayEquals(scalarGathered, reference, context + ": scalar kernel, same as on the gathered B");
        assertNearReference(reference, actual, k, context);
    }

    @Test
    void rowTableBitIdenticalForEveryThreadCount() {
        Random random = new Random(10);
        int m = 40;
        int n = 900;
        int k = 300;
        float[] a = Values.GAUSSIAN.fill(random, new float[m * k]);
        float[] source = Values.GAUSSIAN.fill(random, new float[n + k]);
        int[] rows = new int[k];
        for (int p = 0; p < k; p++) {
            rows[p] = k - 1 - p; // descending and overlapping: row p is row p+1 moved by one element
        }
        assertSameForEveryThreadCount(m + "x" + n + "x" + k + " through a row table", () -> {
            float[] c = new float[m * n];
            VECTOR.matmulPackedRows(VECTOR.pack(m, k, a, 0, k, 1, n, new float[m * k]), n, source, rows, c, 0, n,
                    false);
            return c;
        });
    }

    @Test
    void aShortRowTableIsRejected() {
        for (Kernels kernels : new Kernels[] {VECTOR, SCALAR}) {
            PackedMatrix packed = kernels.pack(2, 3, new float[6], 0, 3, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> kernels.matmulPackedRows(packed, 4, new float[10], new int[2], new float[8], 0, 4, false));
            assertEquals("bRows has 2 row starts, but the product needs 3", e.getMessage());
        }
    }
}
