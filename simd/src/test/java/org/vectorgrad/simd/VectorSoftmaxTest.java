package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vector softmax and log-softmax against {@link ScalarKernels}.
 *
 * <p>NOTE (tolerance, u = 2^-24): the maximum and the shifted inputs a - max are exact in both.
 * Softmax: each exponential is within 1 ulp (2u relative), their double sum inherits at most
 * that relative error (all terms are positive), 1 / sum rounded to float adds u, the product u,
 * and the reference's own rounding u: |vector - reference| &lt;= 7u·|reference|. Log-softmax: the
 * maximum's term is exactly 1, so the sum's error is at most 2u times the other terms' sum s,
 * and ln(1 + s) moves by at most 2u·s / (1 + s) &lt;= 2u·ln(1 + s); the two roundings of ln and
 * the two of the final subtraction add u each, and |a - max - ln sum| &gt;= ln sum, so again
 * &lt;= 6u·|reference|. Allowed: 8u·|reference| plus two subnormal steps for underflowed results,
 * plus, for log-softmax, the double sums' own rounding: each of their n additions may move a sum
 * near 1 by 2^-53, and so ln sum by as much; when ln sum is tiny (one dominant entry) that
 * absolute error, (2n)·2^-53 for the two implementations, is the larger term.
 */
final class VectorSoftmaxTest {
    private static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;
    private static final int DST_OFFSET = 4;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void contiguousLinesMatchScalarOnEverySize(boolean log) {
        Random random = new Random(log ? 1 : 2);
        for (int n : VectorKernelsTest.SIZES) {
            int rows = n > 5000 ? 1 : 3;
            checkSoftmax(View.contiguous(new int[] {rows, n}, 2, random, Values.GAUSSIAN), 1, log);
            checkSoftmax(View.sliced(new int[] {rows, n}, 5, 1, random, Values.GAUSSIAN), 1, log);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyDimensionAndLayoutMatchesScalar(boolean log) {
        Random random = new Random(log ? 3 : 4);
        List<int[]> shapes = List.of(new int[] {1}, new int[] {17, 33}, new int[] {33, 17}, new int[] {3, 4, 5},
                new int[] {2, 3, 4, 5}, new int[] {100, 3}, new int[] {4, 1, 65}, new int[] {4, 0, 3},
                new int[] {3, 0});
        for (int[] shape : shapes) {
            for (View a : VectorKernelsTest.layoutsOf(shape, random)) {
                for (int dim = 0; dim < shape.length; dim++) {
                    checkSoftmax(a, dim, log);
                }
            }
        }
    }

    // -inf entries vanish, an all -inf line is NaN (as in the reference and PyTorch), huge
    // spreads underflow to 0 or subnormals, NaN spreads over its line.
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void specialValuesMatchScalar(boolean log) {
        float inf = Float.POSITIVE_INFINITY;
        float[][] lines = {
            {0f, -inf, 1f}, {-inf, -inf, -inf}, {-inf}, {5f}, {1e30f, -1e30f, 0f}, {0f, -90f, -100f, -110f},
            {1f, Float.NaN, 2f}, {inf, 1f}, {-0f, 0f}, {0f, -12f}, {88f, 89f, -88f}, {Float.MAX_VALUE, -Float.MAX_VALUE},
        };
        for (float[] line : lines) {
            for (int repeat : new int[] {1, 7, 40}) {
                float[] values = new float[line.length * repeat];
                for (int i = 0; i < values.length; i++) {
                    values[i] = i % line.length == 0 && i > 0 ? line[0] - 1f : line[i % line.length];
                }
                if (line.length == 1) {
                    values = Arrays.copyOf(line, 1);
                }
                int n = values.length;
                checkSoftmax(new View(new int[] {n}, values, 0, new int[] {1}), 0, log);
                checkSoftmax(new View(new int[] {2, n}, values, 0, new int[] {0, 1}), 1, log);
                checkSoftmax(new View(new int[] {n, 3}, values, 0, new int[] {1, 0}), 0, log);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void inPlaceOverContiguousInput(boolean log) {
        Random random = new Random(5);
        for (int n : new int[] {1, 17, 1000}) {
            View a = View.contiguous(new int[] {3, n}, DST_OFFSET, random, Values.GAUSSIAN);
            float[] expected = Floats.sentinels(a.data().length);
            SCALAR.softmax(a.shape(), a.data(), a.offset(), a.strides(), 1, log, expected, DST_OFFSET);
            float[] inPlace = a.data().clone();
            VECTOR.softmax(a.shape(), inPlace, a.offset(), a.strides(), 1, log, inPlace, DST_OFFSET);
            compare(Arrays.copyOfRange(expected, DST_OFFSET, DST_OFFSET + 3 * n),
                    Arrays.copyOfRange(inPlace, DST_OFFSET, DST_OFFSET + 3 * n), log ? n : 0, "in place " + n);
        }
    }

    private static void checkSoftmax(View a, int dim, boolean log) {
        int n = a.numel();
        float[] expected = Floats.sentinels(DST_OFFSET + n + 3);
        float[] actual = expected.clone();
        SCALAR.softmax(a.shape(), a.data(), a.offset(), a.strides(), dim, log, expected, DST_OFFSET);
        VECTOR.softmax(a.shape(), a.data(), a.offset(), a.strides(), dim, log, actual, DST_OFFSET);
        String context = (log ? "log-softmax" : "softmax") + " along " + dim + " of " + a;
        compare(expected, actual, log ? a.shape()[dim] : 0, context);
        Floats.assertUntouched(actual, DST_OFFSET, n, context);
    }

    /** Compares with the tolerance above; {@code logLength} is the line length for log-softmax, else 0. */
    static void compare(float[] expected, float[] actual, int logLength, String context) {
        double absolute = 2 * Float.MIN_VALUE + 2.0 * logLength * 0x1p-53;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float v = actual[i];
            boolean ok = Float.isFinite(e) ? Math.abs(v - e) <= 8 * 0x1p-24 * Math.abs(e) + absolute
                    : Floats.same(e, v);
            if (!ok) {
                fail(context + ": at " + i + " expected " + e + " but was " + v + " ("
                        + Floats.ulps(e, v) + " ulp)");
            }
        }
    }
}
