package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/**
 * Runs one product through the vector and the scalar kernel and compares them element by element.
 *
 * <p>NOTE (tolerance, u = 2^-24): each C element is a float sum of k products, by FMA or by
 * partial sums; a float sum of k terms errs by at most (k + 1)·u·Σ|terms|, plus u·|c| and one
 * more rounding when accumulating into C. So |vector - reference| &lt;= (k + 3)·u·(Σ_p |a_ip·b_pj|
 * + |c_ij|) — the design's "k·eps·max|a|·max|b|", per element.
 */
final class MatmulCheck {
    static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    static final Kernels VECTOR = VectorKernelsTest.VECTOR;

    private MatmulCheck() {
    }

    /** A rows×cols matrix read through an offset and two strides from a random array. */
    record Operand(int rows, int cols, float[] data, int offset, int rowStride, int colStride) {
        /** Row-major (or, transposed, column-major) with a few elements before and after. */
        static Operand random(int rows, int cols, boolean transposed, Random random) {
            return transposed ? strided(rows, cols, 3, 1, Math.max(rows, 1), random)
                    : strided(rows, cols, 3, Math.max(cols, 1), 1, random);
        }

        /** Any layout whose elements do not overlap (strides ≥ 0). */
        static Operand strided(int rows, int cols, int offset, int rowStride, int colStride, Random random) {
            int last = offset + Math.max(rows - 1, 0) * rowStride + Math.max(cols - 1, 0) * colStride;
            float[] data = Values.GAUSSIAN.fill(random, new float[last + 3]);
            return new Operand(rows, cols, data, offset, rowStride, colStride);
        }

        float get(int row, int col) {
            return data[offset + row * rowStride + col * colStride];
        }

        String describe() {
            return rows + "x" + cols + "@" + offset + "[" + rowStride + "," + colStride + "]";
        }
    }

    /** A C array with room for m×n at cOffset with rows cRowStride apart, filled at random. */
    static float[] randomC(int m, int n, int cOffset, int cRowStride, Random random) {
        return Values.GAUSSIAN.fill(random, new float[cOffset + Math.max(m - 1, 0) * cRowStride + n + 3]);
    }

    /** The vector product equals the scalar one within the tolerance and writes nothing outside C. */
    static void check(Operand a, Operand b, float[] initial, int cOffset, int cRowStride, boolean accumulate) {
        int m = a.rows();
        int n = b.cols();
        int k = a.cols();
        float[] expected = initial.clone();
        float[] actual = initial.clone();
        SCALAR.matmul(m, n, k, a.data(), a.offset(), a.rowStride(), a.colStride(), b.data(), b.offset(),
                b.rowStride(), b.colStride(), expected, cOffset, cRowStride, accumulate);
        VECTOR.matmul(m, n, k, a.data(), a.offset(), a.rowStride(), a.colStride(), b.data(), b.offset(),
                b.rowStride(), b.colStride(), actual, cOffset, cRowStride, accumulate);
        String context = a.describe() + " · " + b.describe() + " accumulate " + accumulate
                + " C@" + cOffset + " rows " + cRowStride + " apart";
        compare(a, b, initial, expected, actual, cOffset, cRowStride, accumulate, context);
    }

    static void compare(Operand a, Operand b, float[] initial, float[] expected, float[] actual, int cOffset,
                        int cRowStride, boolean accumulate, String context) {
        int m = a.rows();
        int n = b.cols();
        for (int at = 0; at < initial.length; at++) {
            int i = Math.floorDiv(at - cOffset, cRowStride);
            int j = Math.floorMod(at - cOffset, cRowStride);
            if (at < cOffset || i >= m || j >= n) {
                if (!Floats.same(initial[at], actual[at])) {
                    fail(context + ": wrote outside C at " + at);
                }
                continue;
            }
            double tolerance = (a.cols() + 3) * 0x1p-24 * magnitude(a, b, i, j, accumulate ? initial[at] : 0);
            if (!(Math.abs(actual[at] - expected[at]) <= tolerance)) {
                fail(context + ": C[" + i + ", " + j + "] expected " + expected[at] + " but was " + actual[at]
                        + " (tolerance " + tolerance + ")");
            }
        }
    }

    private static double magnitude(Operand a, Operand b, int i, int j, float c) {
        double sum = Math.abs(c);
        for (int p = 0; p < a.cols(); p++) {
            sum += Math.abs((double) a.get(i, p) * b.get(p, j));
        }
        return sum;
    }
}
