package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vectorgrad.simd.MatmulCheck.SCALAR;
import static org.vectorgrad.simd.MatmulCheck.VECTOR;
import static org.vectorgrad.simd.MatmulCheck.randomC;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.vectorgrad.simd.MatmulCheck.Operand;

/**
 * Matmul across threads and batches: the same bits for 1, 2, 3 and 8 threads on every path (the
 * products are big enough to be split), batched and broadcast-batched products against the
 * scalar reference, and the one-row path agreeing bit for bit with the rows of a full GEMM.
 */
@ExtendWith(RestoreThreads.class)
final class MatmulParallelTest {
    private static final int[] THREADS = {1, 2, 3, 8};

    @Test
    void everyPathGivesTheSameBitsForAnyThreadCount() {
        int[][] mnk = {{64, 256, 784}, {700, 40, 300}, {300, 300, 300}, {1, 3000, 1500}, {3000, 1, 1500}};
        Random random = new Random(11);
        for (int[] s : mnk) {
            assertTrue((long) s[0] * s[1] * s[2] >= 2 * VectorMatmul.TASK_WORK, "too small to split");
            for (int layout = 0; layout < 4; layout++) {
                Operand a = Operand.random(s[0], s[2], (layout & 1) != 0, random);
                Operand b = Operand.random(s[2], s[1], (layout & 2) != 0, random);
                float[] initial = randomC(s[0], s[1], 3, s[1] + 1, random);
                sameBitsForAnyThreads(a, b, initial, s[1] + 1, layout == 3);
            }
        }
    }

    private void sameBitsForAnyThreads(Operand a, Operand b, float[] initial, int cRowStride, boolean accumulate) {
        float[] first = null;
        for (int threads : THREADS) {
            Parallel.setThreads(threads);
            float[] c = initial.clone();
            VECTOR.matmul(a.rows(), b.cols(), a.cols(), a.data(), a.offset(), a.rowStride(), a.colStride(),
                    b.data(), b.offset(), b.rowStride(), b.colStride(), c, 3, cRowStride, accumulate);
            if (first == null) {
                first = c;
                MatmulCheck.compare(a, b, initial, reference(a, b, initial, cRowStride, accumulate), c, 3, cRowStride,
                        accumulate, a.describe() + " · " + b.describe());
            } else {
                Floats.assertClose(first, c, 0, a.describe() + " · " + b.describe() + " on " + threads + " threads");
            }
        }
    }

    private static float[] reference(Operand a, Operand b, float[] initial, int cRowStride, boolean accumulate) {
        float[] expected = initial.clone();
        SCALAR.matmul(a.rows(), b.cols(), a.cols(), a.data(), a.offset(), a.rowStride(), a.colStride(),
                b.data(), b.offset(), b.rowStride(), b.colStride(), expected, 3, cRowStride, accumulate);
        return expected;
    }

    /** A 1×k·k×n product rounds exactly like the same row inside a larger GEMM. */
    @Test
    void oneRowProductIsTheMatchingGemmRow() {
        Random random = new Random(12);
        int m = 37;
        int n = 70;
        int k = 600;
        Operand a = Operand.random(m, k, true, random);
        Operand b = Operand.random(k, n, false, random);
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] initial = randomC(m, n, 0, n, random);
            float[] full = initial.clone();
            VECTOR.matmul(m, n, k, a.data(), a.offset(), a.rowStride(), a.colStride(), b.data(), b.offset(),
                    b.rowStride(), b.colStride(), full, 0, n, accumulate);
            for (int i = 0; i < m; i++) {
                float[] row = Arrays.copyOfRange(initial, i * n, i * n + n);
                VECTOR.matmul(1, n, k, a.data(), a.offset() + i * a.rowStride(), 0, a.colStride(), b.data(),
                        b.offset(), b.rowStride(), b.colStride(), row, 0, n, accumulate);
                Floats.assertClose(Arrays.copyOfRange(full, i * n, i * n + n), row, 0, "row " + i);
            }
        }
    }

    @Test
    void batchedMatchesScalarPerEntryForAnyThreadCount() {
        Random random = new Random(13);
        int[][] shapes = {{20, 64, 64, 64}, {7, 1, 300, 200}, {9, 200, 1, 300}, {5, 3, 17, 9}, {0, 4, 4, 4},
            {3, 129, 33, 260}};
        for (int[] s : shapes) {
            for (int broadcast = 0; broadcast < 3; broadcast++) {
                boolean transposed = broadcast == 1;
                Batch a = Batch.random(s[0], s[1], s[3], broadcast == 1, transposed, random);
                Batch b = Batch.random(s[0], s[3], s[2], broadcast == 2, !transposed, random);
                checkBatched(s[0], a, b, broadcast == 2, random);
            }
        }
    }

    /** With C's batch stride 0 the entries accumulate into one C, in order, on any thread count. */
    @Test
    void batchedIntoOneOutputSumsTheProducts() {
        Random random = new Random(14);
        int batch = 6;
        Batch a = Batch.random(batch, 100, 120, false, true, random);
        Batch b = Batch.random(batch, 120, 90, false, false, random);
        float[] initial = randomC(100, 90, 0, 90, random);
        float[] sequential = initial.clone();
        for (int e = 0; e < batch; e++) {
            Operand ae = a.at(e);
            Operand be = b.at(e);
            VECTOR.matmul(100, 90, 120, ae.data(), ae.offset(), ae.rowStride(), ae.colStride(), be.data(),
                    be.offset(), be.rowStride(), be.colStride(), sequential, 0, 90, true);
        }
        for (int threads : THREADS) {
            Parallel.setThreads(threads);
            float[] c = initial.clone();
            VECTOR.matmulBatched(batch, 100, 90, 120, a.entry.data(), a.entry.offset(), a.batchStride,
                    a.entry.rowStride(), a.entry.colStride(), b.entry.data(), b.entry.offset(), b.batchStride,
                    b.entry.rowStride(), b.entry.colStride(), c, 0, 0, 90, true);
            Floats.assertClose(sequential, c, 0, "one output on " + threads + " threads");
        }
    }

    private void checkBatched(int batch, Batch a, Batch b, boolean accumulate, Random random) {
        int m = a.entry.rows();
        int n = b.entry.cols();
        int cRowStride = n + 1;
        int cBatchStride = Math.max(m, 1) * cRowStride + 2;
        float[] initial = Values.GAUSSIAN.fill(random, new float[1 + batch * cBatchStride]);
        float[] first = null;
        for (int threads : THREADS) {
            Parallel.setThreads(threads);
            float[] c = initial.clone();
            VECTOR.matmulBatched(batch, m, n, a.entry.cols(), a.entry.data(), a.entry.offset(), a.batchStride,
                    a.entry.rowStride(), a.entry.colStride(), b.entry.data(), b.entry.offset(), b.batchStride,
                    b.entry.rowStride(), b.entry.colStride(), c, 1, cBatchStride, cRowStride, accumulate);
            if (first != null) {
                Floats.assertClose(first, c, 0, "batched on " + threads + " threads");
                continue;
            }
            first = c;
            for (int e = 0; e < batch; e++) {
                Operand ae = a.at(e);
                Operand be = b.at(e);
                int cOffset = 1 + e * cBatchStride;
                MatmulCheck.compare(ae, be, initial, reference(ae, be, initial, cOffset, cRowStride, accumulate),
                        entryOnly(initial, c, cOffset, cBatchStride), cOffset, cRowStride, accumulate,
                        "batch entry " + e + " of " + ae.describe() + " · " + be.describe());
            }
        }
    }

    private static float[] reference(Operand a, Operand b, float[] initial, int cOffset, int cRowStride,
                                     boolean accumulate) {
        float[] expected = initial.clone();
        SCALAR.matmul(a.rows(), b.cols(), a.cols(), a.data(), a.offset(), a.rowStride(), a.colStride(),
                b.data(), b.offset(), b.rowStride(), b.colStride(), expected, cOffset, cRowStride, accumulate);
        return expected;
    }

    // The initial array with one entry's region taken from the result: compare() then also
    // checks that this entry's product wrote nothing outside its C (the others are checked in turn).
    private static float[] entryOnly(float[] initial, float[] result, int cOffset, int cBatchStride) {
        float[] mixed = initial.clone();
        System.arraycopy(result, cOffset, mixed, cOffset, cBatchStride);
        return mixed;
    }

    /** A batch of matrices: entry e starts e·batchStride after the first (0: one shared matrix). */
    private record Batch(Operand entry, int batchStride) {
        static Batch random(int batch, int rows, int cols, boolean broadcast, boolean transposed, Random random) {
            int size = rows * cols + 1;
            int stride = broadcast ? 0 : size;
            Operand one = Operand.random(rows, cols, transposed, random);
            float[] data = Values.GAUSSIAN.fill(random, new float[one.data().length + Math.max(batch - 1, 0) * stride]);
            return new Batch(new Operand(rows, cols, data, one.offset(), one.rowStride(), one.colStride()), stride);
        }

        Operand at(int e) {
            return new Operand(entry.rows(), entry.cols(), entry.data(), entry.offset() + e * batchStride,
                    entry.rowStride(), entry.colStride());
        }
    }
}
