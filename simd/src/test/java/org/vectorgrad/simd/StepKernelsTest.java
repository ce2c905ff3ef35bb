package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fused training-step kernels (ReLU's backward, the SGD and Adam updates) against their
 * scalar reference, bit for bit, on every size of {@link VectorKernelsTest#SIZES} (tails, 0, 1,
 * sizes that split across threads), at nonzero offsets, with NaN, infinities and signed zeros
 * among the values; and independent of the thread count (1, 2, 3, 8).
 */
@ExtendWith(RestoreThreads.class)
final class StepKernelsTest {
    private static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;
    private static final int[] THREADS = {1, 2, 3, 8};
    private static final int LARGE = (1 << 19) + 5;

    private static final List<SgdStep> SGD_STEPS = List.of(
            new SgdStep(0f, 0f, 1f, false, -0.1f),
            new SgdStep(0f, 0.9f, 1f, false, -0.01f),
            new SgdStep(1e-2f, 0.9f, 0.75f, false, -0.05f),
            new SgdStep(5e-4f, 0.8f, 1f, true, -0.1f),
            new SgdStep(0.1f, 0f, 1f, false, -1e-3f));

    private static final List<AdamStep> ADAM_STEPS = List.of(
            new AdamStep(1f, 0f, 0.9f, 0.1f, 0.999f, 0.001f, -1e-3f, 0.0447f, 1e-8f),
            new AdamStep(1f, 0.01f, 0.8f, 0.2f, 0.99f, 0.01f, -0.05f, 0.3f, 1e-6f),
            new AdamStep(0.99999f, 0f, 0.9f, 0.1f, 0.999f, 0.001f, -2e-3f, 0.7f, 1e-8f));

    @Test
    void thresholdBackwardPassesGradWhereSelfIsAboveTheThreshold() {
        float[] self = {1f, 0f, -0f, -1f, Float.NaN, 0.5f, Float.POSITIVE_INFINITY};
        float[] grad = {2f, 3f, 4f, 5f, 6f, Float.NaN, -0f};
        float[] dst = new float[self.length];
        for (Kernels k : new Kernels[] {SCALAR, VECTOR}) {
            k.thresholdBackward(self.length, 0.5f, grad, 0, self, 0, dst, 0);
            assertArrayEquals(new float[] {2f, 0f, 0f, 0f, 6f, 0f, -0f}, dst, k.name());
        }
    }

    @Test
    void thresholdBackwardMatchesScalarAtEverySize() {
        Random random = new Random(1);
        for (int n : sizes()) {
            for (float threshold : new float[] {0f, -1.5f}) {
                float[] grad = Values.MIXED.fill(random, new float[n + 3]);
                float[] self = Values.MIXED.fill(random, new float[n + 5]);
                String context = "threshold " + threshold + " n " + n;
                float[] expected = Floats.sentinels(n + 4);
                SCALAR.thresholdBackward(n, threshold, grad, 3, self, 5, expected, 4);
                float[] actual = sameForEveryThreadCount(context, () -> {
                    float[] dst = Floats.sentinels(n + 4);
                    VECTOR.thresholdBackward(n, threshold, grad, 3, self, 5, dst, 4);
                    return dst;
                });
                Floats.assertClose(expected, actual, 0, context);
            }
        }
    }

    @Test
    void sgdMatchesScalarAtEverySize() {
        Random random = new Random(2);
        for (int n : sizes()) {
            for (SgdStep step : SGD_STEPS) {
                for (boolean first : new boolean[] {true, false}) {
                    float[][] start = {Values.MIXED.fill(random, new float[n + 1]),
                        Values.MIXED.fill(random, new float[n + 2]), Values.MIXED.fill(random, new float[n + 3])};
                    String context = step + " first " + first + " n " + n;
                    Function<Kernels, float[][]> run = k -> {
                        float[][] s = {start[0].clone(), start[1], start[2].clone()};
                        k.sgdStep(n, step, s[0], 1, s[1], 2, s[2], 3, first);
                        return s;
                    };
                    float[][] expected = run.apply(SCALAR);
                    float[][] actual = sameForEveryThreadCount(context, run);
                    Floats.assertClose(expected[0], actual[0], 0, context + " param");
                    Floats.assertClose(expected[2], actual[2], 0, context + " buffer");
                }
            }
        }
    }

    @Test
    void sgdFollowsPyTorchsOrderOfOperations() {
        float[] p = {1f};
        float[] b = {0.5f};
        SgdStep step = new SgdStep(0.1f, 0.9f, 0.8f, false, -0.01f);
        VECTOR.sgdStep(1, step, p, 0, new float[] {2f}, 0, b, 0, false);
        float direction = 2f + 1f * 0.1f;
        float buffer = 0.5f * 0.9f + direction * 0.8f;
        assertEquals(buffer, b[0]);
        assertEquals(1f + buffer * -0.01f, p[0]);
    }

    @Test
    void adamMatchesScalarAtEverySize() {
        Random random = new Random(3);
        for (int n : sizes()) {
            for (AdamStep step : ADAM_STEPS) {
                float[][] start = {Values.MIXED.fill(random, new float[n + 1]),
                    Values.MIXED.fill(random, new float[n + 2]), Values.MIXED.fill(random, new float[n + 3]),
                    Values.UNIT.fill(random, new float[n + 4])};
                String context = step + " n " + n;
                Function<Kernels, float[][]> run = k -> {
                    float[][] s = {start[0].clone(), start[1], start[2].clone(), start[3].clone()};
                    k.adamStep(n, step, s[0], 1, s[1], 2, s[2], 3, s[3], 4);
                    return s;
                };
                float[][] expected = run.apply(SCALAR);
                float[][] actual = sameForEveryThreadCount(context, run);
                for (int i : new int[] {0, 2, 3}) {
                    Floats.assertClose(expected[i], actual[i], 0, context + " operand " + i);
                }
            }
        }
    }

    // Also one that splits in chunks of VectorStepKernels.MIN_CHUNK but not of the elementwise MIN_CHUNK.
    private static int[] sizes() {
        int[] sizes = java.util.Arrays.copyOf(VectorKernelsTest.SIZES, VectorKernelsTest.SIZES.length + 2);
        sizes[sizes.length - 2] = 3 * VectorStepKernels.MIN_CHUNK + 1029;
        sizes[sizes.length - 1] = LARGE;
        return sizes;
    }

    private float[] sameForEveryThreadCount(String context, java.util.function.Supplier<float[]> compute) {
        return sameForEveryThreadCount(context, k -> new float[][] {compute.get()})[0];
    }

    private float[][] sameForEveryThreadCount(String context, Function<Kernels, float[][]> compute) {
        float[][] first = null;
        for (int threads : THREADS) {
            Parallel.setThreads(threads);
            float[][] result = compute.apply(VECTOR);
            if (first == null) {
                first = result;
            } else {
                for (int i = 0; i < result.length; i++) {
                    Floats.assertClose(first[i], result[i], 0, context + " with " + threads + " threads");
                }
            }
        }
        return first;
    }
}
