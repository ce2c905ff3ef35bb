package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel family, vector and scalar, gives bit-identical results (any NaN equals any NaN)
 * for 1, 2, 3 and 8 threads on inputs large enough to be split, with odd sizes, strided,
 * transposed, sliced and broadcast operands and reductions over every subset of dimensions; and
 * the vector results agree with the scalar reference within the tolerances of the per-family
 * tests ({@code VectorKernelsTest}, {@code VectorReductionsTest}, {@code VectorSoftmaxTest}).
 *
 * <p>NOTE: the vector transcendentals (and so softmax) are compared once the JIT has settled:
 * before C2 compiles them, the Vector API computes them with Math's functions, which may differ
 * from the SVML code by an ulp. That depends on the JIT's progress, not on the thread count
 * (see {@link #sameForEveryThreadCountOnceSettled}).
 */
@ExtendWith(RestoreThreads.class)
final class KernelsDeterminismTest {
    private static final int[] THREADS = {1, 2, 3, 8};
    /** 539 213 elements, odd in both dimensions: several chunks for every kernel at 2+ threads. */
    private static final int[] MATRIX = {523, 1031};
    /** 535 417 elements, for reductions over every subset of three dimensions. */
    private static final int[] CUBE = {67, 131, 61};
    private static final int DST_OFFSET = 3;
    private static final int WARM_UP_CALLS = 4;
    private static final int ATTEMPTS = 4;

    static Stream<Kernels> kernels() {
        return Stream.of(VectorKernelsTest.VECTOR, VectorKernelsTest.SCALAR);
    }

    // The inputs are big enough that each kernel really splits its work at 2 threads (else this
    // test would prove nothing): checked against the thresholds the kernels use.
    @Test
    void inputsAreLargeEnoughToBeSplit() {
        Parallel.setThreads(2);
        int smallest = Math.min(Shapes.numel(MATRIX), Shapes.numel(CUBE));
        int[] thresholds = {VectorKernels.MIN_CHUNK, VectorReductions.MIN_CHUNK, VectorSoftmax.MIN_CHUNK,
            StridedCopy.MIN_CHUNK, ScalarKernels.CHEAP_CHUNK, ScalarKernels.COSTLY_CHUNK};
        for (int threshold : thresholds) {
            assertTrue(Parallel.chunkCount(smallest, threshold) >= 2, "threshold " + threshold);
        }
        // the smallest dimension still splits a reduction that keeps only it (67 rows of 7991)
        assertTrue(Parallel.chunkCount(CUBE[0], VectorReductions.MIN_CHUNK / (CUBE[1] * CUBE[2]) + 1) >= 2);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void mapIsIndependentOfThreadCount(Kernels kernels) {
        Random random = new Random(1);
        for (View src : operands(random, Values.MIXED)) {
            for (UnaryOp op : UnaryOp.values()) {
                String context = kernels.name() + " " + op + " of " + src;
                Function<Kernels, float[]> compute = k -> {
                    float[] dst = Floats.sentinels(DST_OFFSET + src.numel() + 2);
                    k.map(op, src.shape(), src.data(), src.offset(), src.strides(), dst, DST_OFFSET);
                    return dst;
                };
                float[] result = !op.isExact() && kernels == VectorKernelsTest.VECTOR
                        ? sameForEveryThreadCountOnceSettled(context, compute, kernels)
                        : sameForEveryThreadCount(context, compute, kernels);
                Floats.assertUntouched(result, DST_OFFSET, src.numel(), context);
                if (kernels == VectorKernelsTest.VECTOR) {
                    float[] expected = Floats.sentinels(result.length);
                    VectorKernelsTest.SCALAR.map(op, src.shape(), src.data(), src.offset(), src.strides(),
                            expected, DST_OFFSET);
                    Floats.assertClose(expected, result, VectorKernelsTest.ulps(op), context + " vs scalar");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void zipIsIndependentOfThreadCount(Kernels kernels) {
        Random random = new Random(2);
        List<View> views = operands(random, Values.MIXED);
        // contiguous, broadcast scalar, transposed, stepped, inner/outer broadcast, sliced
        int[][] pairs = {{0, 0}, {0, 1}, {1, 0}, {2, 6}, {4, 5}, {3, 2}, {7, 7}};
        for (int[] pair : pairs) {
            View a = views.get(pair[0]);
            View b = views.get(pair[1]);
            for (BinaryOp op : BinaryOp.values()) {
                String context = kernels.name() + " " + op + " of " + a + " and " + b;
                float[] result = sameForEveryThreadCount(context, k -> {
                    float[] dst = Floats.sentinels(DST_OFFSET + a.numel() + 2);
                    k.zip(op, a.shape(), a.data(), a.offset(), a.strides(), b.data(), b.offset(), b.strides(),
                            dst, DST_OFFSET);
                    return dst;
                }, kernels);
                Floats.assertUntouched(result, DST_OFFSET, a.numel(), context);
                if (kernels == VectorKernelsTest.VECTOR) {
                    float[] expected = Floats.sentinels(result.length);
                    VectorKernelsTest.SCALAR.zip(op, a.shape(), a.data(), a.offset(), a.strides(), b.data(),
                            b.offset(), b.strides(), expected, DST_OFFSET);
                    Floats.assertClose(expected, result, VectorKernelsTest.ulps(op), context + " vs scalar");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void whereAndCopyAreIndependentOfThreadCount(Kernels kernels) {
        Random random = new Random(3);
        List<View> views = operands(random, Values.MIXED);
        View cond = View.contiguous(MATRIX, 1, random, Values.MIXED);
        for (int i = 0; i < cond.data().length; i += 3) {
            cond.data()[i] = 0f;
        }
        for (View a : views) {
            View b = views.get(6);
            String context = kernels.name() + " where of " + a;
            float[] result = sameForEveryThreadCount(context, k -> {
                float[] dst = Floats.sentinels(DST_OFFSET + a.numel() + 2);
                k.where(a.shape(), cond.data(), cond.offset(), cond.strides(), a.data(), a.offset(), a.strides(),
                        b.data(), b.offset(), b.strides(), dst, DST_OFFSET);
                return dst;
            }, kernels);
            float[] expected = Floats.sentinels(result.length);
            for (int i = 0; i < a.numel(); i++) {
                expected[DST_OFFSET + i] = cond.get(i) != 0f ? a.get(i) : b.get(i);
            }
            Floats.assertClose(expected, result, 0, context);
        }
        View transposed = View.of(MATRIX, View.reversed(2), 1, new boolean[2], 2, random, Values.MIXED);
        for (View src : views) {
            for (View dstLayout : List.of(views.get(0), transposed)) {
                String context = kernels.name() + " copy of " + src + " into " + dstLayout;
                float[] result = sameForEveryThreadCount(context, k -> {
                    float[] dst = Floats.sentinels(dstLayout.data().length);
                    k.copy(src.shape(), src.data(), src.offset(), src.strides(), dst, dstLayout.offset(),
                            dstLayout.strides());
                    return dst;
                }, kernels);
                View copied = new View(MATRIX, result, dstLayout.offset(), dstLayout.strides());
                Floats.assertClose(src.logical(), copied.logical(), 0, context);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void sumsOverEveryDimensionSubsetAreIndependentOfThreadCount(Kernels kernels) {
        Random random = new Random(4);
        for (View a : VectorKernelsTest.layoutsOf(CUBE, random, Values.GAUSSIAN)) {
            for (int mask = 0; mask < 1 << CUBE.length; mask++) {
                boolean[] reduce = new boolean[CUBE.length];
                for (int d = 0; d < CUBE.length; d++) {
                    reduce[d] = (mask >> d & 1) != 0;
                }
                int kept = Shapes.keptCount(CUBE, reduce);
                String context = kernels.name() + " sum over " + Arrays.toString(reduce) + " of " + a;
                float[] result = sameForEveryThreadCount(context, k -> {
                    float[] dst = Floats.sentinels(DST_OFFSET + kept + 2);
                    k.sum(a.shape(), a.data(), a.offset(), a.strides(), reduce, dst, DST_OFFSET);
                    return dst;
                }, kernels);
                Floats.assertUntouched(result, DST_OFFSET, kept, context);
                if (kernels == VectorKernelsTest.VECTOR) {
                    agreesWithScalarSum(a, reduce, result, context);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void sumOfSquaresIsIndependentOfThreadCount(Kernels kernels) {
        Random random = new Random(5);
        for (View a : operands(random, Values.GAUSSIAN)) {
            String context = kernels.name() + " sumOfSquares of " + a;
            float[] result = sameForEveryThreadCount(context,
                    k -> new float[] {k.sumOfSquares(a.shape(), a.data(), a.offset(), a.strides())}, kernels);
            float expected = VectorKernelsTest.SCALAR.sumOfSquares(a.shape(), a.data(), a.offset(), a.strides());
            boolean ok = Float.isFinite(expected)
                    ? Math.abs(result[0] - expected) <= VectorReductionsTest.sumTolerance(expected, expected)
                    : Floats.same(expected, result[0]);
            assertTrue(ok, context + ": " + result[0] + " vs scalar " + expected);
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void maxAndArgmaxAreIndependentOfThreadCount(Kernels kernels) {
        Random random = new Random(6);
        for (View a : VectorKernelsTest.layoutsOf(CUBE, random, Values.MIXED)) {
            for (int dim = 0; dim < CUBE.length; dim++) {
                int kept = a.numel() / CUBE[dim];
                int d = dim;
                String context = kernels.name() + " max along " + dim + " of " + a;
                float[] result = sameForEveryThreadCount(context, k -> {
                    float[] out = Floats.sentinels(2 * kept);
                    k.max(a.shape(), a.data(), a.offset(), a.strides(), d, out, 0, out, kept);
                    return out;
                }, kernels);
                float[] expected = new float[2 * kept];
                VectorKernelsTest.SCALAR.max(a.shape(), a.data(), a.offset(), a.strides(), d, expected, 0,
                        expected, kept);
                Floats.assertClose(expected, result, 0, context + " vs scalar");
            }
        }
    }

    // One long line (a whole-tensor max) is split into pieces: the first maximum must still win,
    // across pieces, for ties, ±0, and NaN (whose first occurrence wins).
    @ParameterizedTest
    @MethodSource("kernels")
    void maxOfOneLongLineFindsTheFirstMaximumForEveryThreadCount(Kernels kernels) {
        Random random = new Random(8);
        int n = Shapes.numel(MATRIX);
        int[][] plants = {{}, {n - 1}, {400_000, 20_000}, {7, 300_001}, {150_000, 150_001}};
        for (float planted : new float[] {100f, Float.NaN, 0f}) {
            for (int[] at : plants) {
                for (int step : new int[] {1, 3}) {
                    View line = View.of(new int[] {n}, new int[] {0}, step, new boolean[1], 2, random,
                            planted == 0f ? Values.UNIT : Values.GAUSSIAN);
                    for (int i = 0; i < n && planted == 0f; i++) {
                        line.set(i, -line.get(i)); // all negative: ±0 are the maxima
                    }
                    for (int k = 0; k < at.length; k++) {
                        line.set(at[k], planted == 0f && k == 0 ? -0f : planted);
                    }
                    String context = kernels.name() + " max of " + line + " with " + planted + " at "
                            + Arrays.toString(at);
                    float[] result = sameForEveryThreadCount(context, k -> {
                        float[] out = new float[2];
                        k.max(line.shape(), line.data(), line.offset(), line.strides(), 0, out, 0, out, 1);
                        return out;
                    }, kernels);
                    int expected = 0;
                    for (int i = 1; i < n && !Float.isNaN(line.get(expected)); i++) {
                        expected = line.get(i) > line.get(expected) || Float.isNaN(line.get(i)) ? i : expected;
                    }
                    Floats.assertClose(new float[] {line.get(expected), expected}, result, 0, context);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void softmaxAndLogSoftmaxAreIndependentOfThreadCount(Kernels kernels) {
        Random random = new Random(7);
        for (View a : VectorKernelsTest.layoutsOf(CUBE, random, Values.GAUSSIAN)) {
            for (int dim = 0; dim < CUBE.length; dim++) {
                for (boolean log : new boolean[] {false, true}) {
                    int d = dim;
                    String context = kernels.name() + (log ? " log-softmax" : " softmax") + " along " + dim
                            + " of " + a;
                    Function<Kernels, float[]> compute = k -> {
                        float[] dst = Floats.sentinels(DST_OFFSET + a.numel() + 2);
                        k.softmax(a.shape(), a.data(), a.offset(), a.strides(), d, log, dst, DST_OFFSET);
                        return dst;
                    };
                    float[] result = kernels == VectorKernelsTest.VECTOR
                            ? sameForEveryThreadCountOnceSettled(context, compute, kernels)
                            : sameForEveryThreadCount(context, compute, kernels);
                    Floats.assertUntouched(result, DST_OFFSET, a.numel(), context);
                    if (kernels == VectorKernelsTest.VECTOR) {
                        float[] expected = Floats.sentinels(result.length);
                        VectorKernelsTest.SCALAR.softmax(a.shape(), a.data(), a.offset(), a.strides(), d, log,
                                expected, DST_OFFSET);
                        VectorSoftmaxTest.compare(expected, result, log ? CUBE[dim] : 0, context + " vs scalar");
                    }
                }
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Runs {@code compute} at every thread count; each result must equal the 1-thread one. */
    private static float[] sameForEveryThreadCount(String context, Function<Kernels, float[]> compute,
                                                   Kernels kernels) {
        float[] first = null;
        for (int threads : THREADS) {
            Parallel.setThreads(threads);
            float[] result = compute.apply(kernels);
            if (first == null) {
                first = result;
            } else {
                Floats.assertClose(first, result, 0, context + " with " + threads + " threads");
            }
        }
        return first;
    }

    /**
     * As {@link #sameForEveryThreadCount} for the vector transcendentals, whose bits are only
     * fixed once the JIT has settled (see {@link VectorUnary}): after a warm-up, the sequence of
     * thread counts is retried a few times and must pass once. A result that depends on the
     * chunking fails every attempt; a recompilation that briefly falls back to Math's functions
     * (seen as late as the tenth call of a kernel on this loaded machine) does not recur.
     */
    private static float[] sameForEveryThreadCountOnceSettled(String context, Function<Kernels, float[]> compute,
                                                              Kernels kernels) {
        Parallel.setThreads(THREADS[THREADS.length - 1]);
        for (int call = 0; call < WARM_UP_CALLS; call++) {
            compute.apply(kernels);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return sameForEveryThreadCount(context, compute, kernels);
            } catch (AssertionError e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Matrix operands in the layouts of {@link VectorKernelsTest#layoutsOf} (contiguous, all
     * broadcast, transposed, stepped, inner and outer broadcast, sliced) and one long row.
     */
    private static List<View> operands(Random random, Values values) {
        List<View> views = new java.util.ArrayList<>(VectorKernelsTest.layoutsOf(MATRIX, random, values));
        views.add(View.of(MATRIX, View.identity(2), 1, new boolean[2], 7, random, values));
        return views;
    }

    // The scalar sum within VectorReductionsTest's bound, from Σ|a| summed by the scalar kernel.
    private static void agreesWithScalarSum(View a, boolean[] reduce, float[] result, String context) {
        int kept = Shapes.keptCount(a.shape(), reduce);
        float[] expected = new float[kept];
        VectorKernelsTest.SCALAR.sum(a.shape(), a.data(), a.offset(), a.strides(), reduce, expected, 0);
        float[] magnitudes = new float[a.numel()];
        VectorKernelsTest.SCALAR.map(UnaryOp.ABS, a.shape(), a.data(), a.offset(), a.strides(), magnitudes, 0);
        float[] absSums = new float[kept];
        VectorKernelsTest.SCALAR.sum(a.shape(), magnitudes, 0, Shapes.contiguousStrides(a.shape()), reduce,
                absSums, 0);
        for (int j = 0; j < kept; j++) {
            float e = expected[j];
            float v = result[DST_OFFSET + j];
            boolean ok = Float.isFinite(e)
                    ? Math.abs(v - e) <= VectorReductionsTest.sumTolerance(e, 1.0000001 * absSums[j])
                    : Floats.same(e, v);
            if (!ok) {
                fail(context + " vs scalar: at " + j + " expected " + e + " but was " + v);
            }
        }
    }
}
