package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vectorgrad.GradCheck.leaf;
import static org.vectorgrad.GradCheck.uniform;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.vectorgrad.nn.Functional;
import org.vectorgrad.simd.Shapes;

/**
 * Gradients that take a pooled buffer without zeroing it (a convolution's weight gradient on each
 * of its paths, a batch norm's input gradient in training and in eval mode) must write every
 * element: each case runs once with recycling off (every buffer fresh and zeroed), then again
 * with recycling on and NaN buffers of the gradients' lengths added to this thread's pool, and
 * the two runs must agree bit for bit. (The pool hands out the buffers the step itself released
 * last first, so most reused buffers hold the step's own leftovers, not the NaNs.)
 */
@ExtendWith(RestoreThreads.class)
final class RecycledResultsTest {
    /** {batch, C, H, W, O, k, stride, pad}: every dW above the pool's 16K-float floor. */
    private static final int[][] CONVOLUTIONS = {
        {3, 80, 3, 3, 96, 3, 1, 1},     // large dW: every group chained into one product
        {16, 32, 16, 16, 64, 3, 2, 1},  // small dW split over the batch, computed transposed
        {2, 64, 6, 6, 64, 3, 1, 1},     // small stride-1 dW over channels-last images
        {4, 32, 8, 8, 512, 1, 2, 0},    // 1x1 stride 2, grouped images
    };

    /** N×C×H×W above the pool's floor. */
    private static final int[] BATCH_NORM_INPUT = {4, 8, 32, 32};

    @Test
    void convolutionWeightGradientsOverwriteRecycledBuffers() {
        for (int threads : new int[] {1, 2}) {
            Parallelism.setThreads(threads);
            for (int[] c : CONVOLUTIONS) {
                int weights = c[4] * c[1] * c[5] * c[5];
                assertTrue(weights >= BufferPool.MIN_LENGTH, Arrays.toString(c));
                checkRecycled(Arrays.toString(c) + " on " + threads + " threads", weights,
                        random -> convolutionGradients(random, c));
            }
        }
    }

    @Test
    void batchNormInputGradientsOverwriteRecycledBuffers() {
        for (boolean training : new boolean[] {true, false}) {
            checkRecycled("batch norm, training " + training, Shapes.numel(BATCH_NORM_INPUT),
                    random -> batchNormGradients(random, training, false));
        }
    }

    /**
     * Batch norm writes its input gradient over the incoming gradient when the engine donates it
     * (a gradient only the engine holds, here the one (y·c).sum() gives y); handed the same values
     * in a tensor the caller holds, it writes a new buffer. Both must give the same bits.
     */
    @Test
    void batchNormInputGradientOverTheDonatedGradient() {
        for (boolean training : new boolean[] {true, false}) {
            float[][] held = batchNormGradients(new Random(4), training, false);
            float[][] donated = batchNormGradients(new Random(4), training, true);
            for (int k = 0; k < held.length; k++) {
                assertArrayEquals(held[k], donated[k], "batch norm, training " + training + ", gradient " + k);
            }
        }
    }

    // x's and the weight's gradients for an output gradient c, passed to backward (held by the
    // caller) or reached through (y·c).sum() (a gradient the engine owns and donates).
    private static float[][] batchNormGradients(Random random, boolean training, boolean donated) {
        int numel = Shapes.numel(BATCH_NORM_INPUT);
        int channels = BATCH_NORM_INPUT[1];
        Tensor x = leaf(uniform(random, numel, -1, 1), BATCH_NORM_INPUT);
        Tensor weight = leaf(uniform(random, channels, 0.5, 1.5), channels);
        Tensor c = Tensor.fromArray(uniform(random, numel, -1, 1), BATCH_NORM_INPUT);
        Tensor y = Functional.batchNorm(x, Tensor.zeros(channels), Tensor.ones(channels), weight, null, training,
                0.1f, 1e-5f);
        if (donated) {
            y.mul(c).sum().backward();
        } else {
            y.backward(c);
        }
        return new float[][] {x.grad().toArray(), weight.grad().toArray()};
    }

    private static float[][] convolutionGradients(Random random, int[] c) {
        Tensor x = leaf(uniform(random, c[0] * c[1] * c[2] * c[3], -1, 1), c[0], c[1], c[2], c[3]);
        Tensor w = leaf(uniform(random, c[4] * c[1] * c[5] * c[5], -1, 1), c[4], c[1], c[5], c[5]);
        Tensor y = Functional.conv2d(x, w, null, c[6], c[7], 1);
        y.backward(Tensor.fromArray(uniform(random, y.numel(), -1, 1), y.shape()));
        return new float[][] {w.grad().toArray(), x.grad().toArray()};
    }

    // The same seeded computation on a clean pool and on one holding NaN buffers of `length`.
    private static void checkRecycled(String label, int length, Function<Random, float[][]> run) {
        float[][] clean;
        BufferPool.setEnabled(false);
        try {
            clean = run.apply(new Random(3));
        } finally {
            BufferPool.setEnabled(true);
        }
        for (float[] gradient : clean) {
            for (float value : gradient) {
                assertTrue(Float.isFinite(value), label + ": a fresh run gave " + value);
            }
        }
        for (int i = 0; i < 4; i++) {
            float[] poisoned = new float[length];
            Arrays.fill(poisoned, Float.NaN);
            BufferPool.release(poisoned);
        }
        float[][] recycled = run.apply(new Random(3));
        for (int k = 0; k < clean.length; k++) {
            assertArrayEquals(clean[k], recycled[k], label + ", gradient " + k);
        }
    }
}
