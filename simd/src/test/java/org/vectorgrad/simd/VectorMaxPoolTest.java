package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gathered max pooling ({@link VectorMaxPool}) against {@link ScalarPooling}, arg-max
 * included, on inputs where the order of comparisons shows: many NaNs, ties, infinities and
 * signed zeros, padded windows (taps outside the plane) and dilated ones; the CNN's 2×2 stride-2
 * and ResNet's 3×3 stride-2 padding-1 windows over many planes (parallel), bit-identical for 1,
 * 2, 3 and 8 threads, forward and backward.
 */
@ExtendWith(RestoreThreads.class)
final class VectorMaxPoolTest {
    private static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;
    private static final int OFFSET = 5;

    /** Few distinct values: ties everywhere, NaN in one element of five. */
    private static float[] awkward(Random random, int n) {
        float[] pool = {Float.NaN, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0f, -0f, 1f, 1f, -1f, 2f};
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = pool[random.nextInt(pool.length)];
        }
        return out;
    }

    @Test
    void matchesScalarOnTiesNaNsAndPaddedOrDilatedWindows() {
        Random random = new Random(7);
        int[][] windows = {{2, 2, 0, 1}, {3, 2, 1, 1}, {3, 1, 1, 1}, {2, 1, 1, 1}, {5, 3, 2, 1}, {3, 1, 1, 2},
            {2, 3, 1, 2}, {1, 1, 0, 1}, {4, 4, 2, 1}};
        int[][] planes = {{1, 1}, {2, 2}, {4, 5}, {7, 7}, {14, 14}, {9, 33}, {28, 28}, {17, 3}};
        for (int[] plane : planes) {
            for (int[] k : windows) {
                Window2d w = Window2d.square(plane[0], plane[1], k[0], k[1], k[2], k[3]);
                if (w.outH() < 1 || w.outW() < 1 || w.dilationH() > w.kernelH() - w.padH()) {
                    continue;
                }
                for (int planeCount : new int[] {0, 1, 3}) {
                    for (int trial = 0; trial < 4; trial++) {
                        check(w, planeCount, awkward(random, OFFSET + planeCount * w.inPlane()));
                    }
                }
            }
        }
    }

    @Test
    void networkWindowsAreIndependentOfThreadCount() {
        Random random = new Random(8);
        Window2d[] windows = {Window2d.square(28, 28, 2, 2, 0, 1), Window2d.square(14, 14, 2, 2, 0, 1),
            Window2d.square(32, 32, 3, 2, 1, 1), Window2d.square(31, 31, 3, 2, 1, 1)};
        for (Window2d w : windows) {
            int planes = 1024 + 3;
            float[] src = Values.MIXED.fill(random, new float[OFFSET + planes * w.inPlane()]);
            float[] grad = Values.GAUSSIAN.fill(random, new float[planes * w.outPlane()]);
            float[][] first = null;
            for (int threads : new int[] {1, 2, 3, 8}) {
                Parallel.setThreads(threads);
                float[][] result = check(w, planes, src, grad);
                if (first == null) {
                    first = result;
                } else {
                    for (int i = 0; i < result.length; i++) {
                        Floats.assertClose(first[i], result[i], 0, w + " with " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void planesBeyondTheTapMapLimitTakeTheScalarRoutine() {
        Window2d w = Window2d.square(1100, 1001, 2, 2, 0, 1);
        org.junit.jupiter.api.Assertions.assertTrue((long) w.taps() * w.outPlane() > VectorMaxPool.MAX_MAP);
        check(w, 1, Values.MIXED.fill(new Random(9), new float[OFFSET + w.inPlane()]));
    }

    private static void check(Window2d w, int planes, float[] src) {
        check(w, planes, src, Values.MIXED.fill(new Random(planes), new float[planes * w.outPlane()]));
    }

    /** Forward and backward of the vector kernels, checked against the scalar ones; returns the vector results. */
    private static float[][] check(Window2d w, int planes, float[] src, float[] grad) {
        int[] strides = {w.inPlane(), w.inW(), 1};
        int out = planes * w.outPlane();
        float[] expected = Floats.sentinels(out + 2);
        float[] actual = expected.clone();
        int[] expectedIdx = new int[out + 2];
        int[] actualIdx = new int[out + 2];
        SCALAR.maxPool2d(w, planes, src, OFFSET, strides, expected, 2, expectedIdx, 2);
        VECTOR.maxPool2d(w, planes, src, OFFSET, strides, actual, 2, actualIdx, 2);
        String context = "max " + w + " planes " + planes;
        Floats.assertClose(expected, actual, 0, context);
        assertArrayEquals(expectedIdx, actualIdx, context + " argmax");
        float[] expectedIn = new float[planes * w.inPlane() + 1];
        float[] actualIn = new float[planes * w.inPlane() + 1];
        SCALAR.maxPool2dBackward(w, planes, grad, 0, expectedIdx, 2, expectedIn, 1);
        VECTOR.maxPool2dBackward(w, planes, grad, 0, actualIdx, 2, actualIn, 1);
        Floats.assertClose(expectedIn, actualIn, 0, context + " backward");
        return new float[][] {actual, actualIn, toFloats(actualIdx)};
    }

    private static float[] toFloats(int[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
