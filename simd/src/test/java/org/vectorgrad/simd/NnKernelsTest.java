package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The convolution-lowering, pooling and per-channel kernels: vector against {@link ScalarKernels}
 * on windows of every kind (kernel 1–7, stride 1–3, padding, dilation), row widths around the
 * vector length, 0 and 1 channels or planes, offset and transposed (strided) sources, NaNs, and
 * inputs large enough for the parallel path, whose results must be bit-identical for 1, 2, 3 and 8
 * threads. im2col and col2im are also checked against each other (they are adjoint), an identity
 * the scalar reference cannot satisfy by sharing a bug with itself.
 *
 * <p>NOTE (tolerance): the lowering, the poolings and the affine kernels compute each element with
 * the same float operations in the same order as the reference (copies, window-order sums, fma),
 * so they must match bit for bit. The moment and gradient sums are float vector partials reduced
 * per row into double, against the reference's all-double sum: they differ by about n·2^-24 of
 * Σ|terms|, checked with 1e-5 relative to that magnitude.
 */
@ExtendWith(RestoreThreads.class)
final class NnKernelsTest {
    private static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;
    private static final int OFFSET = 3;

    /** Windows: kernel, stride, padding, dilation (padding ≤ kernel/2 so pooling accepts them too). */
    private static final int[][] WINDOWS = {
        {1, 1, 0, 1}, {1, 2, 0, 1}, {2, 2, 0, 1}, {3, 1, 1, 1}, {3, 2, 1, 1}, {3, 3, 0, 1}, {3, 1, 1, 2},
        {5, 2, 2, 1}, {7, 2, 3, 1}, {2, 1, 1, 2}, {5, 1, 2, 1}, {7, 1, 3, 1},
    };
    private static final int[][] PLANES = {{1, 1}, {3, 3}, {5, 7}, {8, 17}, {9, 33}, {16, 16}, {7, 65}, {2, 100}};

    private static List<Window2d> windows() {
        List<Window2d> out = new ArrayList<>();
        for (int[] plane : PLANES) {
            for (int[] w : WINDOWS) {
                Window2d window = Window2d.square(plane[0], plane[1], w[0], w[1], w[2], w[3]);
                if (window.outH() >= 1 && window.outW() >= 1) {
                    out.add(window);
                }
            }
        }
        out.add(new Window2d(6, 9, 2, 3, 1, 2, 0, 1, 1, 1));
        return out;
    }

    /** A C×H×W source: contiguous, or with rows and columns swapped in storage, after OFFSET floats. */
    private record Source(float[] data, int[] strides) {
        static Source of(int channels, Window2d w, boolean transposed, Random random, Values values) {
            float[] data = values.fill(random, new float[OFFSET + channels * w.inPlane() + 2]);
            int[] strides = transposed ? new int[] {w.inPlane(), 1, w.inH()} : new int[] {w.inPlane(), w.inW(), 1};
            return new Source(data, strides);
        }
    }

    // ---- im2col / col2im -------------------------------------------------------------------------

    /** Rows exactly one image wide, and wider (images side by side): the gaps must stay untouched. */
    @Test
    void im2colMatchesScalarBitForBit() {
        Random random = new Random(1);
        for (Window2d w : windows()) {
            for (int channels : new int[] {0, 1, 3}) {
                for (boolean transposed : new boolean[] {false, true}) {
                    Source src = Source.of(channels, w, transposed, random, Values.MIXED);
                    for (int rowStride : new int[] {w.outPlane(), w.outPlane() + 5}) {
                        assertIm2colMatchesScalar(w, channels, src, rowStride, "transposed " + transposed);
                    }
                }
            }
        }
    }

    /**
     * Stride-2 windows on planes whose phases fit the output rows ({@link Im2colPhases}): the
     * ResNet-18 stem, odd and tiny sizes, unequal kernel sides and paddings, wide column rows,
     * NaN and signed zeros.
     */
    @Test
    void strideTwoIm2colThroughPhasesMatchesScalarBitForBit() {
        Random random = new Random(11);
        Window2d[] windows = {
            Window2d.square(64, 64, 7, 2, 3, 1), Window2d.square(16, 16, 5, 2, 2, 1),
            Window2d.square(15, 15, 5, 2, 2, 1), new Window2d(9, 13, 5, 5, 2, 2, 2, 2, 1, 1),
            new Window2d(4, 3, 4, 4, 2, 2, 2, 2, 1, 1), new Window2d(33, 7, 7, 5, 2, 2, 3, 2, 1, 1),
            new Window2d(6, 5, 4, 7, 2, 2, 1, 3, 1, 1),
        };
        for (Window2d w : windows) {
            assertTrue(Im2colPhases.suits(w, 1), w.toString());
            for (int channels : new int[] {0, 1, 3}) {
                Source src = Source.of(channels, w, false, random, Values.MIXED);
                for (int rowStride : new int[] {w.outPlane(), w.outPlane() + 17}) {
                    assertIm2colMatchesScalar(w, channels, src, rowStride, "");
                }
            }
        }
    }

    // The vector im2col writes exactly the scalar reference's bits, and nothing outside the rows
    // (both start from the same sentinels).
    private static void assertIm2colMatchesScalar(Window2d w, int channels, Source src, int rowStride, String what) {
        float[] expected = Floats.sentinels(channels * w.taps() * rowStride + 2 * OFFSET);
        float[] actual = expected.clone();
        SCALAR.im2col(w, channels, src.data(), OFFSET, src.strides(), expected, OFFSET, rowStride);
        VECTOR.im2col(w, channels, src.data(), OFFSET, src.strides(), actual, OFFSET, rowStride);
        Floats.assertClose(expected, actual, 0, w + " channels " + channels + " " + what + " row stride " + rowStride);
    }

    @Test
    void col2imMatchesScalarBitForBitAndAccumulates() {
        Random random = new Random(2);
        for (Window2d w : windows()) {
            for (int channels : new int[] {0, 1, 3}) {
                for (int rowStride : new int[] {w.outPlane(), w.outPlane() + 5}) {
                    float[] cols = Values.TAME.fill(random, new float[OFFSET + channels * w.taps() * rowStride]);
                    float[] expected = Values.GAUSSIAN.fill(random, new float[2 * OFFSET + channels * w.inPlane()]);
                    float[] actual = expected.clone();
                    SCALAR.col2im(w, channels, cols, OFFSET, rowStride, expected, OFFSET);
                    VECTOR.col2im(w, channels, cols, OFFSET, rowStride, actual, OFFSET);
                    Floats.assertClose(expected, actual, 0, w + " channels " + channels + " row stride " + rowStride);
                }
            }
        }
    }

    /** ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ in double: the lowering and its scatter are adjoint. */
    @Test
    void col2imIsTheAdjointOfIm2col() {
        Random random = new Random(3);
        for (Kernels kernels : new Kernels[] {SCALAR, VECTOR}) {
            for (Window2d w : windows()) {
                int channels = 2;
                float[] x = Values.GAUSSIAN.fill(random, new float[channels * w.inPlane()]);
                float[] c = Values.GAUSSIAN.fill(random, new float[channels * w.taps() * w.outPlane()]);
                float[] lowered = new float[c.length];
                float[] scattered = new float[x.length];
                kernels.im2col(w, channels, x, 0, new int[] {w.inPlane(), w.inW(), 1}, lowered, 0, w.outPlane());
                kernels.col2im(w, channels, c, 0, w.outPlane(), scattered, 0);
                double left = dot(lowered, c);
                double right = dot(x, scattered);
                double scale = Math.sqrt(dot(lowered, lowered) * dot(c, c)) + 1;
                if (Math.abs(left - right) > 1e-5 * scale) {
                    fail(kernels.name() + " " + w + ": <im2col x, c> = " + left + " but <x, col2im c> = " + right);
                }
            }
        }
    }

    private static double dot(float[] a, float[] b) {
        double total = 0;
        for (int i = 0; i < a.length; i++) {
            total += (double) a[i] * b[i];
        }
        return total;
    }

    // ---- pooling ---------------------------------------------------------------------------------

    @Test
    void maxPoolingMatchesScalarIncludingNaNsAndArgmax() {
        Random random = new Random(4);
        for (Window2d w : windows()) {
            if (w.padH() > w.kernelH() / 2 || w.padW() > w.kernelW() / 2 || w.dilationH() > w.kernelH() - w.padH()) {
                continue; // a window must reach into the plane (the kernel's contract)
            }
            for (int planes : new int[] {0, 1, 5}) {
                for (boolean transposed : new boolean[] {false, true}) {
                    Source src = Source.of(planes, w, transposed, random, Values.MIXED);
                    checkMaxPool(w, planes, src);
                }
            }
        }
    }

    private static void checkMaxPool(Window2d w, int planes, Source src) {
        int out = planes * w.outPlane();
        float[] expected = Floats.sentinels(out + OFFSET);
        float[] actual = expected.clone();
        int[] expectedIdx = new int[out + OFFSET];
        int[] actualIdx = new int[out + OFFSET];
        SCALAR.maxPool2d(w, planes, src.data(), OFFSET, src.strides(), expected, OFFSET, expectedIdx, OFFSET);
        VECTOR.maxPool2d(w, planes, src.data(), OFFSET, src.strides(), actual, OFFSET, actualIdx, OFFSET);
        String context = "max " + w + " planes " + planes;
        Floats.assertClose(expected, actual, 0, context);
        assertArrayEquals(expectedIdx, actualIdx, context + " argmax");
        Random random = new Random(out);
        float[] grad = Values.GAUSSIAN.fill(random, new float[out + OFFSET]);
        float[] expectedIn = Values.GAUSSIAN.fill(random, new float[planes * w.inPlane() + OFFSET]);
        float[] actualIn = expectedIn.clone();
        // The planes are overwritten: zeros, plus each output's gradient at its arg-max, in order.
        float[] scattered = expectedIn.clone();
        java.util.Arrays.fill(scattered, OFFSET, scattered.length, 0f);
        for (int o = 0; o < out; o++) {
            scattered[OFFSET + o / w.outPlane() * w.inPlane() + expectedIdx[OFFSET + o]] += grad[OFFSET + o];
        }
        SCALAR.maxPool2dBackward(w, planes, grad, OFFSET, expectedIdx, OFFSET, expectedIn, OFFSET);
        VECTOR.maxPool2dBackward(w, planes, grad, OFFSET, actualIdx, OFFSET, actualIn, OFFSET);
        Floats.assertClose(scattered, expectedIn, 0, context + " backward, scalar");
        Floats.assertClose(expectedIn, actualIn, 0, context + " backward");
    }

    @Test
    void maxPoolingKeepsTheFirstMaximumAndALaterNaN() {
        Window2d w = Window2d.square(2, 3, 2, 1, 0, 1);
        float[] src = {1, 5, 5, 5, 1, Float.NaN};
        float[] dst = new float[2];
        int[] argmax = new int[2];
        for (Kernels kernels : new Kernels[] {SCALAR, VECTOR}) {
            kernels.maxPool2d(w, 1, src, 0, new int[] {6, 3, 1}, dst, 0, argmax, 0);
            assertArrayEquals(new int[] {1, 5}, argmax, kernels.name());
            assertEquals(5f, dst[0]);
            assertEquals(Float.NaN, dst[1]);
        }
    }

    @Test
    void averagePoolingMatchesScalar() {
        Random random = new Random(5);
        for (Window2d w : windows()) {
            if (w.dilationH() != 1 || w.padH() > w.kernelH() / 2 || w.kernelH() != w.kernelW()) {
                continue;
            }
            for (int planes : new int[] {0, 1, 5}) {
                Source src = Source.of(planes, w, planes == 5, random, Values.TAME);
                int out = planes * w.outPlane();
                float[] expected = Floats.sentinels(out + OFFSET);
                float[] actual = expected.clone();
                SCALAR.avgPool2d(w, planes, src.data(), OFFSET, src.strides(), expected, OFFSET);
                VECTOR.avgPool2d(w, planes, src.data(), OFFSET, src.strides(), actual, OFFSET);
                Floats.assertClose(expected, actual, 0, "avg " + w + " planes " + planes);
                float[] grad = Values.GAUSSIAN.fill(random, new float[out + OFFSET]);
                float[] expectedIn = Values.GAUSSIAN.fill(random, new float[planes * w.inPlane() + OFFSET]);
                float[] actualIn = expectedIn.clone();
                SCALAR.avgPool2dBackward(w, planes, grad, OFFSET, expectedIn, OFFSET);
                VECTOR.avgPool2dBackward(w, planes, grad, OFFSET, actualIn, OFFSET);
                Floats.assertClose(expectedIn, actualIn, 0, "avg backward " + w + " planes " + planes);
            }
        }
    }

    @Test
    void adaptivePoolingMatchesScalarAndAveragesWholeWindows() {
        Random random = new Random(6);
        for (int[] plane : PLANES) {
            for (int outSize : new int[] {1, 2, 3, 4, 7}) {
                Window2d w = Window2d.square(plane[0], plane[1], 1, 1, 0, 1);
                Source src = Source.of(3, w, true, random, Values.GAUSSIAN);
                float[] expected = Floats.sentinels(3 * outSize * outSize + OFFSET);
                float[] actual = expected.clone();
                SCALAR.adaptiveAvgPool2d(3, plane[0], plane[1], outSize, outSize, src.data(), OFFSET, src.strides(),
                        expected, OFFSET);
                VECTOR.adaptiveAvgPool2d(3, plane[0], plane[1], outSize, outSize, src.data(), OFFSET, src.strides(),
                        actual, OFFSET);
                Floats.assertClose(expected, actual, 0, "adaptive " + Arrays.toString(plane) + " to " + outSize);
                float[] grad = Values.GAUSSIAN.fill(random, new float[3 * outSize * outSize + OFFSET]);
                float[] expectedIn = new float[3 * w.inPlane() + OFFSET];
                float[] actualIn = new float[expectedIn.length];
                SCALAR.adaptiveAvgPool2dBackward(3, plane[0], plane[1], outSize, outSize, grad, OFFSET, expectedIn,
                        OFFSET);
                VECTOR.adaptiveAvgPool2dBackward(3, plane[0], plane[1], outSize, outSize, grad, OFFSET, actualIn,
                        OFFSET);
                Floats.assertClose(expectedIn, actualIn, 0, "adaptive backward to " + outSize);
            }
        }
        float[] one = new float[1];
        SCALAR.adaptiveAvgPool2d(1, 2, 3, 1, 1, new float[] {1, 2, 3, 4, 5, 9}, 0, new int[] {6, 3, 1}, one, 0);
        assertEquals(4f, one[0], "the 1×1 window is the whole plane's mean");
    }

    // ---- per-channel kernels ---------------------------------------------------------------------

    private static final int[][] BLOCKS = {
        {1, 1, 1}, {2, 3, 1}, {8, 17, 1}, {2, 3, 7}, {3, 2, 16}, {2, 5, 17}, {4, 3, 33}, {1, 2, 1000},
        {3, 4, 0}, {0, 3, 5}, {5, 1, 4099},
        // Short rows (column kernels): a ResNet's 2×2 and 4×4 planes, more samples than one float
        // block (parallel over channels), odd widths, and the first row length past them.
        {16, 512, 4}, {40, 37, 16}, {70, 300, 2}, {3, 70, 9}, {33, 5, 17}, {65, 3, 1},
    };

    @Test
    void channelKernelsMatchScalar() {
        Random random = new Random(7);
        for (int[] b : BLOCKS) {
            checkChannels(b[0], b[1], b[2], random, "block " + Arrays.toString(b));
        }
    }

    private static void checkChannels(int outer, int channels, int inner, Random random, String context) {
        int n = outer * channels * inner;
        float[] x = Values.GAUSSIAN.fill(random, new float[n + OFFSET]);
        float[] g = Values.GAUSSIAN.fill(random, new float[n + OFFSET]);
        for (int i = 0; i < x.length; i++) {
            x[i] += 5f; // a mean far from zero, as after a ReLU, to exercise the centring
        }
        float[][] s = moments(SCALAR, outer, channels, inner, x);
        float[][] v = moments(VECTOR, outer, channels, inner, x);
        for (int c = 0; c < channels && outer * inner > 0; c++) {
            assertNear(s[0][c], v[0][c], 5 + Math.abs(s[0][c]), context + " mean " + c);
            assertNear(s[1][c], v[1][c], 25 + s[1][c], context + " variance " + c);
        }
        float[] a = Values.GAUSSIAN.fill(random, new float[channels]);
        float[] bb = Values.GAUSSIAN.fill(random, new float[channels]);
        float[] k = Values.GAUSSIAN.fill(random, new float[channels]);
        float[] expected = Floats.sentinels(n + 2 * OFFSET);
        float[] actual = expected.clone();
        SCALAR.channelAffine(outer, channels, inner, x, OFFSET, a, k, expected, OFFSET);
        VECTOR.channelAffine(outer, channels, inner, x, OFFSET, a, k, actual, OFFSET);
        Floats.assertClose(expected, actual, 0, context + " affine");
        SCALAR.channelAffine2(outer, channels, inner, g, OFFSET, x, OFFSET, a, bb, k, expected, OFFSET);
        VECTOR.channelAffine2(outer, channels, inner, g, OFFSET, x, OFFSET, a, bb, k, actual, OFFSET);
        Floats.assertClose(expected, actual, 0, context + " affine2");
        float[][] sg = gradSums(SCALAR, outer, channels, inner, g, x, s[0]);
        float[][] vg = gradSums(VECTOR, outer, channels, inner, g, x, s[0]);
        double magnitude = 3.0 * 6 * outer * inner + 1;
        for (int c = 0; c < channels; c++) {
            assertNear(sg[0][c], vg[0][c], magnitude, context + " Σg " + c);
            assertNear(sg[1][c], vg[1][c], magnitude * 3, context + " Σg(x-μ) " + c);
        }
    }

    private static void assertNear(float expected, float actual, double magnitude, String context) {
        if (!(Math.abs(expected - actual) <= 1e-5 * magnitude)) {
            fail(context + ": expected " + expected + " but was " + actual);
        }
    }

    private static float[][] moments(Kernels k, int outer, int channels, int inner, float[] x) {
        float[] mean = new float[channels];
        float[] variance = new float[channels];
        k.channelMoments(outer, channels, inner, x, OFFSET, mean, variance);
        return new float[][] {mean, variance};
    }

    private static float[][] gradSums(Kernels k, int outer, int channels, int inner, float[] g, float[] x, float[] m) {
        float[] sumG = new float[channels];
        float[] sumGx = new float[channels];
        k.channelGradSums(outer, channels, inner, g, OFFSET, x, OFFSET, m, sumG, sumGx);
        return new float[][] {sumG, sumGx};
    }

    // ---- large inputs: the parallel path, identical for every thread count -----------------------

    @Test
    void largeInputsGiveTheSameBitsForEveryThreadCount() {
        Random random = new Random(8);
        Window2d w = Window2d.square(32, 32, 3, 2, 1, 1);
        int planes = 96;
        float[] src = Values.GAUSSIAN.fill(random, new float[planes * w.inPlane()]);
        float[] grad = Values.GAUSSIAN.fill(random, new float[planes * w.outPlane()]);
        int[] st = {w.inPlane(), w.inW(), 1};
        int outer = 16;
        int channels = 24;
        int inner = 1025;
        float[] x = Values.GAUSSIAN.fill(random, new float[outer * channels * inner + OFFSET]);
        float[] a = Values.GAUSSIAN.fill(random, new float[channels]);
        List<Consumer<List<float[]>>> runs = List.of(
            r -> {
                float[] y = new float[planes * w.outPlane()];
                int[] idx = new int[y.length];
                float[] back = new float[src.length];
                VECTOR.maxPool2d(w, planes, src, 0, st, y, 0, idx, 0);
                VECTOR.maxPool2dBackward(w, planes, grad, 0, idx, 0, back, 0);
                r.add(y);
                r.add(back);
            },
            r -> {
                float[] y = new float[planes * w.outPlane()];
                float[] back = new float[src.length];
                VECTOR.avgPool2d(w, planes, src, 0, st, y, 0);
                VECTOR.avgPool2dBackward(w, planes, grad, 0, back, 0);
                r.add(y);
                r.add(back);
            },
            r -> {
                float[] y = new float[planes * 9];
                VECTOR.adaptiveAvgPool2d(planes, 32, 32, 3, 3, src, 0, st, y, 0);
                r.add(y);
            },
            r -> {
                float[][] m = moments(VECTOR, outer, channels, inner, x);
                float[][] gs = gradSums(VECTOR, outer, channels, inner, x, x, m[0]);
                float[] y = new float[x.length];
                VECTOR.channelAffine2(outer, channels, inner, x, OFFSET, x, OFFSET, a, a, a, y, OFFSET);
                r.addAll(List.of(m[0], m[1], gs[0], gs[1], y));
            });
        List<float[]> reference = null;
        for (int threads : new int[] {1, 2, 3, 8}) {
            Parallel.setThreads(threads);
            List<float[]> results = new ArrayList<>();
            runs.forEach(run -> run.accept(results));
            if (reference == null) {
                reference = results;
            }
            for (int i = 0; i < results.size(); i++) {
                Floats.assertClose(reference.get(i), results.get(i), 0, "result " + i + " with " + threads + " threads");
            }
        }
        Parallel.setThreads(1);
        float[][] scalarMoments = moments(SCALAR, outer, channels, inner, x);
        for (int c = 0; c < channels; c++) {
            assertNear(scalarMoments[1][c], reference.get(6)[c], 10 + scalarMoments[1][c], "large variance " + c);
        }
    }
}
