package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vector kernels once C2 has compiled them. Until then the Vector API runs its Java fallback
 * (Math.exp, Math.pow, Math.max per lane), and a test that calls a kernel a few times checks
 * mostly that; compiled code calls SVML and machine instructions instead, whose special-value
 * semantics can differ (SVML's pow follows C99, where pow(1, NaN) is 1). So each check here runs
 * a kernel many times on one input, large enough to have tails for any lane count, containing
 * every special value at every lane position, and compares every run with the reference.
 */
final class VectorKernelsHotTest {
    private static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;
    /** Enough calls for C2 to compile a kernel (and then to run the compiled code many times). */
    private static final int RUNS = 2000;
    private static final int N = 4099;
    private static final float[] SCALARS = {2f, 3f, 0.5f, -0.5f, -1f, -2f, 1.7f, -2.5f, 0f, -0f, 1f, -1.5f,
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    @BeforeAll
    static void requireC2() {
        assumeTrue(KernelProvider.c2Enabled(), "C2 is off (-Xint or -XX:TieredStopAtLevel<4): nothing gets compiled");
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void mapStaysCorrectOnceCompiled(UnaryOp op) {
        float[] src = input(new Random(op.ordinal()));
        int[] shape = {N};
        int[] strides = {1};
        float[] expected = new float[N];
        SCALAR.map(op, shape, src, 0, strides, expected, 0);
        float[] actual = new float[N];
        for (int run = 0; run < RUNS; run++) {
            VECTOR.map(op, shape, src, 0, strides, actual, 0);
            Floats.assertClose(expected, actual, VectorKernelsTest.ulps(op), op + ", run " + run);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void zipStaysCorrectOnceCompiled(BinaryOp op) {
        Random random = new Random(op.ordinal());
        float[] a = input(random);
        float[] b = input(random);
        int specials = Values.SPECIALS.length;
        for (int i = 0; i < specials * specials; i++) {
            a[i] = Values.SPECIALS[i / specials];
            b[i] = Values.SPECIALS[i % specials];
        }
        int[] strides = {1};
        runZip(op, a, strides, b, strides, RUNS);
        for (float scalar : SCALARS) {
            float[] single = {scalar};
            runZip(op, a, strides, single, new int[] {0}, RUNS / 10);
            runZip(op, single, new int[] {0}, b, strides, RUNS / 10);
        }
    }

    private static void runZip(BinaryOp op, float[] a, int[] aStrides, float[] b, int[] bStrides, int runs) {
        int[] shape = {N};
        float[] expected = new float[N];
        SCALAR.zip(op, shape, a, 0, aStrides, b, 0, bStrides, expected, 0);
        float[] actual = new float[N];
        for (int run = 0; run < runs; run++) {
            VECTOR.zip(op, shape, a, 0, aStrides, b, 0, bStrides, actual, 0);
            Floats.assertClose(expected, actual, VectorKernelsTest.ulps(op),
                    op + " with strides " + aStrides[0] + ", " + bStrides[0] + ", run " + run);
        }
    }

    // Rows of 40 with NaN, ±0 ties and -inf at varying places: both max paths (along rows, and
    // across rows for max over dim 0), whose compiled MAX and compare must keep PyTorch's rules.
    @Test
    void maxStaysCorrectOnceCompiled() {
        int rows = 103;
        int cols = 40;
        float[] a = new float[rows * cols];
        Random random = new Random(1);
        for (int i = 0; i < a.length; i++) {
            int kind = random.nextInt(12);
            a[i] = kind == 0 ? Float.NaN : kind == 1 ? -0f : kind == 2 ? 0f : kind == 3 ? Float.NEGATIVE_INFINITY
                    : kind == 4 ? 0.5f : -random.nextFloat();
        }
        int[] shape = {rows, cols};
        int[] strides = {cols, 1};
        for (int dim = 0; dim < 2; dim++) {
            int kept = a.length / shape[dim];
            float[] expectedValues = new float[kept];
            float[] expectedIndices = new float[kept];
            SCALAR.max(shape, a, 0, strides, dim, expectedValues, 0, expectedIndices, 0);
            float[] values = new float[kept];
            float[] indices = new float[kept];
            for (int run = 0; run < RUNS; run++) {
                VECTOR.max(shape, a, 0, strides, dim, values, 0, indices, 0);
                Floats.assertClose(expectedValues, values, 0, "max values along " + dim + ", run " + run);
                Floats.assertClose(expectedIndices, indices, 0, "max indices along " + dim + ", run " + run);
            }
        }
    }

    @Test
    void reductionsAndSoftmaxStayCorrectOnceCompiled() {
        float[] a = input(new Random(2));
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.isFinite(a[i]) && Math.abs(a[i]) < 100f ? a[i] : -a[i] / 0f;
        }
        int[] shape = {N / 10, 10};
        int[] strides = {10, 1};
        for (boolean log : new boolean[] {false, true}) {
            float[] expected = new float[N];
            SCALAR.softmax(shape, a, 0, strides, 1, log, expected, 0);
            float[] actual = new float[N];
            for (int run = 0; run < RUNS; run++) {
                VECTOR.softmax(shape, a, 0, strides, 1, log, actual, 0);
                VectorSoftmaxTest.compare(expected, actual, log ? 10 : 0, "softmax, run " + run);
            }
        }
        float[] sums = new float[N / 10];
        float[] expected = new float[N / 10];
        boolean[] reduce = {false, true};
        SCALAR.sum(shape, a, 0, strides, reduce, expected, 0);
        for (int run = 0; run < RUNS; run++) {
            VECTOR.sum(shape, a, 0, strides, reduce, sums, 0);
            for (int j = 0; j < sums.length; j++) {
                double tolerance = VectorReductionsTest.sumTolerance(expected[j], 1000);
                if (Float.isFinite(expected[j]) ? Math.abs(sums[j] - expected[j]) > tolerance
                        : !Floats.same(expected[j], sums[j])) {
                    fail("row sum " + j + ": " + sums[j] + " != " + expected[j] + ", run " + run);
                }
            }
        }
    }

    @Test
    void matmulStaysCorrectOnceCompiled() {
        Random random = new Random(3);
        int m = 17;
        int n = 33;
        int k = 9;
        float[] a = Values.GAUSSIAN.fill(random, new float[m * k]);
        float[] b = Values.GAUSSIAN.fill(random, new float[k * n]);
        float[] expected = new float[m * n];
        SCALAR.matmul(m, n, k, a, 0, k, 1, b, 0, n, 1, expected, 0, n, false);
        float[] actual = new float[m * n];
        for (int run = 0; run < RUNS; run++) {
            VECTOR.matmul(m, n, k, a, 0, k, 1, b, 0, n, 1, actual, 0, n, false);
            for (int i = 0; i < actual.length; i++) {
                if (Math.abs(actual[i] - expected[i]) > 1e-4f * (1 + Math.abs(expected[i]))) {
                    fail("C[" + i + "]: " + actual[i] + " != " + expected[i] + ", run " + run);
                }
            }
        }
    }

    /**
     * Once C2 has compiled a kernel, it allocates nothing per vector. A vector that crosses a call
     * C2 does not inline is boxed at every call: ln x, at 347 bytecodes (over FreqInlineSize), was
     * never inlined and a 1M-element log allocated gigabytes a second.
     */
    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void mapAllocatesNothingOnceCompiled(UnaryOp op) {
        float[] src = input(new Random(op.ordinal()));
        float[] dst = new float[N];
        int[] shape = {N};
        int[] strides = {1};
        assertEventuallyAllocationFree(op.toString(), () -> VECTOR.map(op, shape, src, 0, strides, dst, 0));
    }

    // The shifted col2im once added a vector of input positions over the taps in a helper that
    // took and returned that vector; inside a ResNet step C2 found the helper "already compiled
    // into a big method", would not inline it, and boxed the vector at every call.
    @Test
    void shiftedCol2imAllocatesNothingOnceCompiled() {
        Window2d window = Window2d.square(8, 8, 3, 1, 1, 1);
        int channels = 16;
        float[] cols = Values.GAUSSIAN.fill(new Random(4), new float[channels * window.taps() * window.outPlane()]);
        float[] dst = new float[channels * window.inPlane()];
        assertEventuallyAllocationFree("col2im", () -> VECTOR.col2im(window, channels, cols, 0, window.outPlane(),
                dst, 0));
    }

    /**
     * Runs rounds of calls until one allocates under 4 KB a call; a kernel still allocating after
     * 30 s fails. Boxing in the loop costs tens of KB a call here (two boxes a vector, 256
     * vectors). The bound tolerates a constant per call: a masked tail whose call C2 left out of
     * line (cold, "already compiled into a medium method") boxes about 1.2 KB once per call.
     * Until C2 compiles a kernel the Vector API's Java fallback allocates, so only the last round
     * counts.
     */
    private static void assertEventuallyAllocationFree(String kernel, Runnable call) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "no per-thread allocation counter");
        int calls = 200;
        long perCall = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            perCall = (threads.getCurrentThreadAllocatedBytes() - before) / calls;
            if (perCall < 4096) {
                return;
            }
        }
        fail(kernel + " still allocates " + perCall + " bytes a call after 30 s: a vector crosses a call C2 does not inline");
    }

    // N values: every special value, with either sign, at every position modulo 16, among
    // random values of every magnitude.
    private static float[] input(Random random) {
        float[] values = Values.MIXED.fill(random, new float[N]);
        int specials = Values.SPECIALS.length;
        for (int i = 0; i < 4 * specials * 17; i += 17) {
            int k = i / 17;
            float special = Values.SPECIALS[k % specials];
            values[i + k % 16] = k / specials % 2 == 0 ? special : -special;
        }
        return values;
    }
}
