package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vectorgrad.GradCheck.check;
import static org.vectorgrad.GradCheck.checkSecondOrder;
import static org.vectorgrad.GradCheck.constant;
import static org.vectorgrad.GradCheck.leaf;
import static org.vectorgrad.GradCheck.transposedLeaf;
import static org.vectorgrad.GradCheck.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.vectorgrad.nn.Functional;

/**
 * Finite-difference checks (see {@link GradCheck}) of the nn primitives against {@link NnRef}:
 * first order for every variant (stride, padding, dilation, bias or none, 3-D input, strided
 * input, train and eval), second order where createGraph has its own path (convolution's
 * backward ops, pooling's backward ops, batch norm's tensor-op backward, the losses); and the
 * convolution's results bit-identical for every thread count.
 */
@ExtendWith(RestoreThreads.class)
final class NnGradTest {
    private static final int[] TARGETS = {2, 0, 4, 4};

    private static Tensor randomLeaf(Random random, int... shape) {
        return leaf(uniform(random, Ref.numel(shape), -1, 1), shape);
    }

    /** Distinct values 0.05 apart (shuffled), so no finite-difference step changes a window's maximum. */
    private static Tensor distinctLeaf(Random random, int... shape) {
        int n = Ref.numel(shape);
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add((i - n / 2) * 0.05f);
        }
        java.util.Collections.shuffle(values, random);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = values.get(i);
        }
        return leaf(out, shape);
    }

    // ---- convolution -----------------------------------------------------------------------------

    private static void checkConv(String label, int[] x, int[] w, boolean bias, int stride, int pad, int dil) {
        Random random = new Random(label.hashCode());
        Tensor[] in = {randomLeaf(random, x), randomLeaf(random, w), bias ? randomLeaf(random, w[0]) : null};
        GradCheck.Op op = t -> Functional.conv2d(t[0], t[1], bias ? t[2] : null, stride, pad, dil);
        GradCheck.Reference ref = r -> NnRef.conv2d(r[0], r[1], bias ? r[2] : null, stride, pad, dil);
        check(label, op, ref, bias ? in : new Tensor[] {in[0], in[1]});
    }

    @Test
    void convolutionVariants() {
        checkConv("conv 3x3", new int[] {2, 2, 5, 5}, new int[] {3, 2, 3, 3}, true, 1, 0, 1);
        checkConv("conv stride 2 pad 1", new int[] {2, 3, 6, 5}, new int[] {2, 3, 3, 3}, true, 2, 1, 1);
        checkConv("conv dilation 2 pad 2", new int[] {1, 2, 7, 6}, new int[] {2, 2, 3, 3}, true, 1, 2, 2);
        checkConv("conv 1x1 no bias", new int[] {2, 3, 4, 3}, new int[] {4, 3, 1, 1}, false, 1, 0, 1);
        checkConv("conv 1x1 stride 2", new int[] {2, 3, 5, 5}, new int[] {2, 3, 1, 1}, true, 2, 0, 1);
        checkConv("conv 2x3 kernel stride 3", new int[] {1, 2, 7, 8}, new int[] {2, 2, 2, 3}, false, 3, 1, 1);
        checkConv("conv stem 7x7", new int[] {1, 1, 9, 9}, new int[] {2, 1, 7, 7}, false, 2, 3, 1);
    }

    @Test
    void convolutionOfUnbatchedAndStridedInput() {
        Random random = new Random(11);
        Tensor w = randomLeaf(random, 2, 3, 3, 3);
        Tensor b = randomLeaf(random, 2);
        check("conv 3-D input", t -> Functional.conv2d(t[0], t[1], t[2], 1, 1, 1),
                r -> NnRef.conv2d(r[0].unsqueeze(0), r[1], r[2], 1, 1, 1).squeeze(0),
                randomLeaf(random, 3, 4, 5), w, b);
        for (int k : new int[] {1, 3}) {
            Tensor x = transposedLeaf(uniform(random, 2 * 3 * 4 * 5, -1, 1), 2, 3, 4, 5);
            check("conv " + k + "x" + k + " transposed input", t -> Functional.conv2d(t[0], t[1], null, 1, k / 2, 1),
                    r -> NnRef.conv2d(r[0], r[1], null, 1, k / 2, 1), x, randomLeaf(random, 2, 3, k, k));
        }
        check("conv constant weight", t -> Functional.conv2d(t[0], t[1], null, 2, 1, 1),
                r -> NnRef.conv2d(r[0], r[1], null, 2, 1, 1), randomLeaf(random, 1, 2, 5, 5),
                constant(uniform(random, 2 * 2 * 9, -1, 1), 2, 2, 3, 3));
    }

    @Test
    void convolutionSecondOrder() {
        Random random = new Random(12);
        checkSecondOrder("conv second order", t -> Functional.conv2d(t[0], t[1], t[2], 2, 1, 1),
                r -> NnRef.conv2d(r[0], r[1], r[2], 2, 1, 1),
                randomLeaf(random, 2, 2, 5, 4), randomLeaf(random, 3, 2, 3, 3), randomLeaf(random, 3));
        checkSecondOrder("conv 1x1 second order", t -> Functional.conv2d(t[0], t[1], null, 1, 0, 1),
                r -> NnRef.conv2d(r[0], r[1], null, 1, 0, 1), randomLeaf(random, 2, 3, 2, 3),
                randomLeaf(random, 2, 3, 1, 1));
    }

    /** Batches that take the per-image parallel path and batches smaller than the thread count. */
    @Test
    void convolutionIsBitIdenticalForEveryThreadCount() {
        for (int batch : new int[] {1, 9}) {
            List<float[]> reference = null;
            for (int threads : new int[] {1, 2, 3, 8}) {
                Parallelism.setThreads(threads);
                Random random = new Random(13);
                Tensor x = randomLeaf(random, batch, 8, 12, 12);
                Tensor w = randomLeaf(random, 16, 8, 3, 3);
                Tensor b = randomLeaf(random, 16);
                Tensor y = Functional.conv2d(x, w, b, 1, 1, 1);
                y.backward(Tensor.fromArray(uniform(random, y.numel(), -1, 1), y.shape()));
                List<float[]> results = List.of(y.toArray(), x.grad().toArray(), w.grad().toArray(), b.grad().toArray());
                if (reference == null) {
                    reference = results;
                }
                for (int i = 0; i < results.size(); i++) {
                    assertArrayEquals(reference.get(i), results.get(i), "batch " + batch + ", result " + i + ", "
                            + threads + " threads");
                }
            }
        }
    }

    // ---- pooling ---------------------------------------------------------------------------------

    @Test
    void maxPooling() {
        Random random = new Random(21);
        int[][] cases = {{2, 2, 0}, {3, 2, 1}, {2, 1, 0}, {3, 3, 1}};
        for (int[] c : cases) {
            String label = "max pool k" + c[0] + " s" + c[1] + " p" + c[2];
            check(label, t -> Functional.maxPool2d(t[0], c[0], c[1], c[2]),
                    r -> NnRef.pool2d(r[0], c[0], c[1], c[2], false), distinctLeaf(random, 2, 2, 5, 6));
        }
        check("max pool 3-D", t -> Functional.maxPool2d(t[0], 2, 2, 1), r -> NnRef.pool2d(r[0], 2, 2, 1, false),
                distinctLeaf(random, 3, 4, 5));
        checkSecondOrder("max pool second order", t -> Functional.maxPool2d(t[0], 3, 2, 1),
                r -> NnRef.pool2d(r[0], 3, 2, 1, false), distinctLeaf(random, 1, 2, 5, 5));
    }

    @Test
    void averagePooling() {
        Random random = new Random(22);
        int[][] cases = {{2, 2, 0}, {3, 1, 1}, {3, 2, 1}, {2, 3, 1}};
        for (int[] c : cases) {
            String label = "avg pool k" + c[0] + " s" + c[1] + " p" + c[2];
            check(label, t -> Functional.avgPool2d(t[0], c[0], c[1], c[2]),
                    r -> NnRef.pool2d(r[0], c[0], c[1], c[2], true), randomLeaf(random, 2, 2, 5, 6));
        }
        Tensor strided = transposedLeaf(uniform(random, 2 * 6 * 5, -1, 1), 2, 6, 5);
        check("avg pool strided 3-D", t -> Functional.avgPool2d(t[0], 3, 2, 1), r -> NnRef.pool2d(r[0], 3, 2, 1, true),
                strided);
        checkSecondOrder("avg pool second order", t -> Functional.avgPool2d(t[0], 3, 2, 1),
                r -> NnRef.pool2d(r[0], 3, 2, 1, true), randomLeaf(random, 1, 2, 5, 5));
    }

    @Test
    void adaptiveAveragePooling() {
        Random random = new Random(23);
        int[][] cases = {{1, 4, 5}, {3, 5, 7}, {2, 4, 4}, {4, 3, 3}, {3, 3, 8}};
        for (int[] c : cases) {
            check("adaptive " + c[0] + " from " + c[1] + "x" + c[2], t -> Functional.adaptiveAvgPool2d(t[0], c[0]),
                    r -> NnRef.adaptiveAvgPool2d(r[0], c[0]), randomLeaf(random, 2, 2, c[1], c[2]));
        }
        check("adaptive 1 of 3-D", t -> Functional.adaptiveAvgPool2d(t[0], 1), r -> NnRef.adaptiveAvgPool2d(r[0], 1),
                randomLeaf(random, 3, 4, 4));
        checkSecondOrder("adaptive second order", t -> Functional.adaptiveAvgPool2d(t[0], 3),
                r -> NnRef.adaptiveAvgPool2d(r[0], 3), randomLeaf(random, 1, 2, 5, 7));
    }

    // ---- batch norm ------------------------------------------------------------------------------

    private static final float EPS = 1e-3f;

    @Test
    void batchNormTraining() {
        Random random = new Random(31);
        for (int[] shape : new int[][] {{4, 3, 3, 2}, {6, 4}, {3, 2, 5}}) {
            int c = shape[1];
            check("batch norm train " + java.util.Arrays.toString(shape),
                    t -> Functional.batchNorm(t[0], Tensor.zeros(c), Tensor.ones(c), t[1], t[2], true, 0.1f, EPS),
                    r -> NnRef.batchNorm(r[0], null, null, r[1], r[2], EPS), randomLeaf(random, shape),
                    randomLeaf(random, c), randomLeaf(random, c));
        }
        check("batch norm train without affine or buffers",
                t -> Functional.batchNorm(t[0], null, null, null, null, true, 0.1f, EPS),
                r -> NnRef.batchNorm(r[0], null, null, null, null, EPS),
                transposedLeaf(uniform(random, 3 * 2 * 4 * 3, -1, 1), 3, 2, 4, 3));
        checkSecondOrder("batch norm train second order",
                t -> Functional.batchNorm(t[0], null, null, t[1], t[2], true, 0.1f, EPS),
                r -> NnRef.batchNorm(r[0], null, null, r[1], r[2], EPS), randomLeaf(random, 3, 2, 2, 2),
                randomLeaf(random, 2), randomLeaf(random, 2));
    }

    @Test
    void batchNormEval() {
        Random random = new Random(32);
        float[] mean = uniform(random, 3, -0.5, 0.5);
        float[] variance = uniform(random, 3, 0.5, 2);
        double[] m = {mean[0], mean[1], mean[2]};
        double[] v = {variance[0], variance[1], variance[2]};
        GradCheck.Op op = t -> Functional.batchNorm(t[0], Tensor.of(mean), Tensor.of(variance), t[1], t[2], false,
                0.1f, EPS);
        GradCheck.Reference ref = r -> NnRef.batchNorm(r[0], m, v, r[1], r[2], EPS);
        check("batch norm eval", op, ref, randomLeaf(random, 2, 3, 2, 3), randomLeaf(random, 3), randomLeaf(random, 3));
        checkSecondOrder("batch norm eval second order", op, ref, randomLeaf(random, 2, 3, 2), randomLeaf(random, 3),
                randomLeaf(random, 3));
    }

    // ---- losses and linear -----------------------------------------------------------------------

    @Test
    void crossEntropyAndNll() {
        Random random = new Random(41);
        for (float smoothing : new float[] {0f, 0.2f, 1f}) {
            check("cross entropy smoothing " + smoothing, t -> Functional.crossEntropy(t[0], TARGETS, smoothing),
                    r -> NnRef.crossEntropy(r[0], TARGETS, smoothing), randomLeaf(random, 4, 5));
        }
        check("cross entropy transposed logits", t -> Functional.crossEntropy(t[0], TARGETS),
                r -> NnRef.crossEntropy(r[0], TARGETS, 0), transposedLeaf(uniform(random, 20, -2, 2), 4, 5));
        check("nll", t -> Functional.nllLoss(t[0], TARGETS), r -> NnRef.nll(r[0], TARGETS, 0), randomLeaf(random, 4, 5));
        checkSecondOrder("cross entropy second order", t -> Functional.crossEntropy(t[0], TARGETS, 0.1f),
                r -> NnRef.crossEntropy(r[0], TARGETS, 0.1f), randomLeaf(random, 4, 5));
    }

    @Test
    void linear() {
        Random random = new Random(42);
        GradCheck.Op op = t -> Functional.linear(t[0], t[1], t[2]);
        GradCheck.Reference ref = r -> r[0].matmul(r[1].transpose(0, 1)).add(r[2]);
        for (int[] x : new int[][] {{4, 3}, {3}, {2, 4, 3}}) {
            check("linear " + java.util.Arrays.toString(x), op, ref, randomLeaf(random, x), randomLeaf(random, 5, 3),
                    randomLeaf(random, 5));
        }
        check("linear without bias", t -> Functional.linear(t[0], t[1], null), r -> r[0].matmul(r[1].transpose(0, 1)),
                randomLeaf(random, 4, 3), transposedLeaf(uniform(random, 15, -1, 1), 5, 3));
        checkSecondOrder("linear second order", op, ref, randomLeaf(random, 4, 3), randomLeaf(random, 5, 3),
                randomLeaf(random, 5));
    }

    // ---- dropout ---------------------------------------------------------------------------------

    /** manualSeed reproduces the mask; kept elements are scaled by 1/(1 − p), the rest zero; grad = mask. */
    @Test
    void dropoutIsSeededScaledAndDifferentiable() {
        float p = 0.3f;
        Tensor x = Tensor.full(2f, 100, 50).requiresGrad(true);
        Tensor.manualSeed(7);
        Tensor first = Functional.dropout(x, p, true);
        Tensor.manualSeed(7);
        Tensor second = Functional.dropout(x, p, true);
        assertArrayEquals(first.toArray(), second.toArray(), "same seed, same mask");
        first.sum().backward();
        float[] y = first.toArray();
        float[] g = x.grad().toArray();
        int kept = 0;
        for (int i = 0; i < y.length; i++) {
            float scale = 1f / (1f - p);
            boolean keep = y[i] != 0f;
            kept += keep ? 1 : 0;
            assertEquals(keep ? 2f * scale : 0f, y[i], 1e-6f);
            assertEquals(keep ? scale : 0f, g[i], 1e-6f);
        }
        // 5000 Bernoulli(0.7) draws: the kept count is 3500 ± 32 (one sigma); 6 sigma never fails by chance.
        assertTrue(Math.abs(kept - 3500) < 200, "kept " + kept);
        assertEquals("MulBackward0", first.gradFn().name());
    }
}
