package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector sum, sumOfSquares and max against {@link ScalarKernels}.
 *
 * <p>NOTE (sum tolerance): the vector sum adds each element into one of 4·L float lane
 * accumulators of a block of {@link VectorReductions#BLOCK} elements (at most BLOCK / (4·L) terms
 * per accumulator, L &gt;= 4 lanes), combines the 4 accumulators with 2 more float additions and
 * the lanes and blocks in double. A float sum of m terms errs by at most (m - 1)·u·Σ|x| with
 * u = 2^-24, so |vector - exact| &lt;= (BLOCK / 16 + 2)·u·Σ|a| plus the final rounding to float;
 * the reference (a double sum) is within that rounding of the exact sum, hence the bound
 * {@link #sumTolerance}. An unblocked float sum over 16M elements breaks it by orders of magnitude.
 */
final class VectorReductionsTest {
    private static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;
    private static final int DST_OFFSET = 3;

    @Test
    void sumOverEverythingMatchesScalarOnEverySize() {
        Random random = new Random(1);
        for (int n : VectorKernelsTest.SIZES) {
            checkSum(View.contiguous(new int[] {n}, 5, random, Values.GAUSSIAN), new boolean[] {true});
            checkSum(View.of(new int[] {n}, new int[] {0}, 2, new boolean[1], 1, random, Values.GAUSSIAN),
                    new boolean[] {true});
            checkSum(View.of(new int[] {n}, new int[] {0}, 1, new boolean[] {true}, 1, random, Values.GAUSSIAN),
                    new boolean[] {true});
        }
    }

    @Test
    void sumOverAnyDimensionsMatchesScalarOnEveryLayout() {
        Random random = new Random(2);
        List<int[]> shapes = List.of(new int[0], new int[] {0}, new int[] {5, 0}, new int[] {17, 33},
                new int[] {33, 17}, new int[] {1, 1000}, new int[] {1000, 3}, new int[] {3, 4, 5},
                new int[] {2, 3, 4, 5}, new int[] {4, 1, 65}, new int[] {2, 2100});
        for (int[] shape : shapes) {
            for (View a : VectorKernelsTest.layoutsOf(shape, random, Values.TAME)) {
                for (int mask = 0; mask < 1 << shape.length; mask++) {
                    boolean[] reduce = new boolean[shape.length];
                    for (int d = 0; d < shape.length; d++) {
                        reduce[d] = (mask >> d & 1) != 0;
                    }
                    checkSum(a, reduce);
                }
            }
        }
    }

    @Test
    void sumOfSixteenMillionElementsStaysAccurate() {
        int n = 1 << 24;
        float[] a = new float[n];
        Random random = new Random(3);
        for (int i = 0; i < n; i++) {
            a[i] = 0.1f + random.nextFloat();
        }
        checkSum(new View(new int[] {n}, a, 0, new int[] {1}), new boolean[] {true});
        float[] dst = new float[1];
        VECTOR.sum(new int[] {n}, a, 0, new int[] {1}, new boolean[] {true}, dst, 0);
        double exact = 0;
        for (float x : a) {
            exact += x;
        }
        assertEquals(exact, dst[0], exact * 1e-6, "16M-element sum");
    }

    @Test
    void sumPropagatesSpecialValues() {
        float[][] cases = {
            {1f, Float.NaN, 2f}, {Float.POSITIVE_INFINITY, 1f}, {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY},
            {-0f, -0f}, {Float.MAX_VALUE, Float.MAX_VALUE}, {1e-45f, 1e-45f, -3e-39f},
        };
        for (float[] values : cases) {
            float[] padded = Arrays.copyOf(values, 100);
            padded[99] = values[0];
            for (float[] a : List.of(values, padded)) {
                checkSum(new View(new int[] {a.length}, a, 0, new int[] {1}), new boolean[] {true});
            }
        }
        float[] empty = Floats.sentinels(6);
        VECTOR.sum(new int[] {0, 4}, new float[0], 0, new int[] {4, 1}, new boolean[] {true, false}, empty, 1);
        assertEquals(Arrays.toString(new float[] {Floats.SENTINEL, 0f, 0f, 0f, 0f, Floats.SENTINEL}),
                Arrays.toString(empty), "an empty reduction yields 0");
    }

    @Test
    void sumOfSquaresMatchesScalar() {
        Random random = new Random(4);
        for (int n : VectorKernelsTest.SIZES) {
            checkSumOfSquares(View.contiguous(new int[] {n}, 2, random, Values.GAUSSIAN));
            checkSumOfSquares(View.of(new int[] {n}, new int[] {0}, 3, new boolean[1], 0, random, Values.GAUSSIAN));
        }
        for (int[] shape : VectorKernelsTest.shapes()) {
            for (View a : VectorKernelsTest.layoutsOf(shape, random, Values.TAME)) {
                checkSumOfSquares(a);
            }
        }
        float[] nan = {1f, 2f, Float.NaN};
        assertTrue(Float.isNaN(VECTOR.sumOfSquares(new int[] {3}, nan, 0, new int[] {1})));
        assertEquals(Float.POSITIVE_INFINITY, VECTOR.sumOfSquares(new int[] {2}, new float[] {1e20f, 1e20f}, 0,
                new int[] {1}));
        assertEquals(0f, VECTOR.sumOfSquares(new int[] {0}, new float[0], 0, new int[] {1}));
    }

    @Test
    void maxMatchesScalarAlongEveryDimension() {
        Random random = new Random(5);
        List<int[]> shapes = List.of(new int[] {1}, new int[] {17, 33}, new int[] {33, 17}, new int[] {3, 4, 5},
                new int[] {2, 3, 4, 5}, new int[] {1000, 3}, new int[] {5, 1000}, new int[] {40, 1}, new int[] {4, 0, 3});
        for (int[] shape : shapes) {
            for (View a : VectorKernelsTest.layoutsOf(shape, random)) {
                for (int dim = 0; dim < shape.length; dim++) {
                    if (shape[dim] > 0) {
                        checkMax(a, dim);
                    }
                }
            }
        }
        for (int n : VectorKernelsTest.SIZES) {
            if (n > 0) {
                checkMax(View.contiguous(new int[] {n}, 1, random, Values.MIXED), 0);
                checkMax(View.contiguous(new int[] {2, n}, 1, random, Values.GAUSSIAN), 0);
            }
        }
    }

    // NaN wins with its first index, ties and ±0 keep the first, -inf lines give index 0.
    @Test
    void maxFollowsTheReferenceSemanticsOnSpecialValues() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        float[][] lines = {
            {1f, 3f, 3f, 2f}, {-0f, 0f}, {0f, -0f}, {-inf, -inf, -inf}, {1f, nan, 5f, nan}, {nan, 2f},
            {inf, nan}, {-1f, -inf}, {2f, inf, inf}, {Float.MIN_VALUE, 0f, -Float.MIN_VALUE},
        };
        for (float[] line : lines) {
            for (int pad = 0; pad < 40; pad += 13) {
                float[] padded = new float[pad + line.length];
                Arrays.fill(padded, -5f);
                System.arraycopy(line, 0, padded, pad, line.length);
                int n = padded.length;
                checkMax(new View(new int[] {n}, padded, 0, new int[] {1}), 0);
                checkMax(new View(new int[] {n, 1}, padded, 0, new int[] {1, 0}), 0);
                // n lines of 20 identical columns: the across-lines path
                checkMax(new View(new int[] {n, 20}, padded, 0, new int[] {1, 0}), 0);
                float[] columns = new float[n * 20];
                for (int i = 0; i < columns.length; i++) {
                    columns[i] = padded[i / 20];
                }
                checkMax(new View(new int[] {n, 20}, columns, 0, new int[] {20, 1}), 0);
            }
        }
    }

    // ---- checks -------------------------------------------------------------------------------

    private static void checkSum(View a, boolean[] reduce) {
        int kept = 1;
        for (int d = 0; d < reduce.length; d++) {
            kept *= reduce[d] ? 1 : a.shape()[d];
        }
        float[] expected = Floats.sentinels(DST_OFFSET + kept + 2);
        float[] actual = expected.clone();
        SCALAR.sum(a.shape(), a.data(), a.offset(), a.strides(), reduce, expected, DST_OFFSET);
        VECTOR.sum(a.shape(), a.data(), a.offset(), a.strides(), reduce, actual, DST_OFFSET);
        String context = "sum over " + Arrays.toString(reduce) + " of " + a;
        Floats.assertUntouched(actual, DST_OFFSET, kept, context);
        double[] absSums = absoluteSums(a, reduce, kept);
        for (int j = 0; j < kept; j++) {
            float e = expected[DST_OFFSET + j];
            float v = actual[DST_OFFSET + j];
            boolean ok = Float.isFinite(e) ? Math.abs(v - e) <= sumTolerance(e, absSums[j]) : Floats.same(e, v);
            if (!ok) {
                fail(context + ": at " + j + " expected " + e + " but was " + v);
            }
        }
    }

    static double sumTolerance(float reference, double absoluteSum) {
        return (VectorReductions.BLOCK / 16 + 2) * 0x1p-24 * absoluteSum + 2 * Math.ulp(reference);
    }

    // Σ|a| per kept element, in double, by a plain walk over every index.
    private static double[] absoluteSums(View a, boolean[] reduce, int kept) {
        double[] sums = new double[kept];
        int[] shape = a.shape();
        for (int flat = 0; flat < a.numel(); flat++) {
            int rest = flat;
            int j = 0;
            int scale = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                int index = rest % shape[d];
                rest /= shape[d];
                if (!reduce[d]) {
                    j += index * scale;
                    scale *= shape[d];
                }
            }
            sums[j] += Math.abs(a.get(flat));
        }
        return sums;
    }

    private static void checkSumOfSquares(View a) {
        float expected = SCALAR.sumOfSquares(a.shape(), a.data(), a.offset(), a.strides());
        float actual = VECTOR.sumOfSquares(a.shape(), a.data(), a.offset(), a.strides());
        // FMA rounds each product together with its addition: the sum bound applies to the squares
        if (Float.isFinite(expected)) {
            assertEquals(expected, actual, sumTolerance(expected, expected), "sumOfSquares of " + a);
        } else {
            assertTrue(Floats.same(expected, actual), "sumOfSquares of " + a + ": " + actual + " != " + expected);
        }
    }

    private static void checkMax(View a, int dim) {
        int kept = a.numel() / a.shape()[dim];
        float[] expectedValues = Floats.sentinels(DST_OFFSET + kept + 2);
        float[] expectedIndices = expectedValues.clone();
        float[] values = expectedValues.clone();
        float[] indices = expectedValues.clone();
        SCALAR.max(a.shape(), a.data(), a.offset(), a.strides(), dim, expectedValues, DST_OFFSET,
                expectedIndices, DST_OFFSET);
        VECTOR.max(a.shape(), a.data(), a.offset(), a.strides(), dim, values, DST_OFFSET, indices, DST_OFFSET);
        String context = "max along " + dim + " of " + a;
        Floats.assertClose(expectedValues, values, 0, context + " (values)");
        Floats.assertClose(expectedIndices, indices, 0, context + " (indices)");
        float[] valuesOnly = Floats.sentinels(values.length);
        VECTOR.max(a.shape(), a.data(), a.offset(), a.strides(), dim, valuesOnly, DST_OFFSET, null, 0);
        Floats.assertClose(expectedValues, valuesOnly, 0, context + " (without indices)");
    }
}
