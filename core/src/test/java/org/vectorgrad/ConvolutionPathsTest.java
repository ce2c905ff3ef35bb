package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vectorgrad.GradCheck.leaf;
import static org.vectorgrad.GradCheck.narrowedLeaf;
import static org.vectorgrad.GradCheck.transposedLeaf;
import static org.vectorgrad.GradCheck.uniform;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.vectorgrad.nn.Functional;

/**
 * The convolution's execution paths against a direct 7-loop convolution in double (forward, input
 * gradient, weight gradient, bias gradient): images that are GEMMs of their own (written in place,
 * or through shifted windows of padded planes, forward and input gradient, with the padding and
 * size rules that choose them),
 * groups of small images (with a partial last group), the batch-split small weight gradient (from
 * im2col columns, or from channels-last images) and the chained large one, 1x1 and 7x7 kernels, stride/padding/dilation, batch 1, transposed and
 * narrowed inputs and output gradients; and every path bit-identical for 1, 2, 3 and 8 threads.
 */
@ExtendWith(RestoreThreads.class)
final class ConvolutionPathsTest {
    /** {batch, C, H, W, O, k, stride, pad, dilation}. */
    private static final int[][] CASES = {
        {3, 1, 13, 11, 5, 3, 1, 1, 1},     // C=1, an image per GEMM (L = 143)
        {23, 3, 5, 5, 4, 3, 1, 1, 1},      // L = 25: groups of 11, the last one partial
        {2, 3, 33, 31, 6, 7, 2, 3, 1},     // 7x7 stem, stride 2
        {4, 8, 9, 9, 6, 1, 2, 0, 1},       // 1x1 stride 2, grouped
        {2, 5, 16, 16, 7, 1, 1, 0, 1},     // 1x1, L = 256
        {3, 80, 3, 3, 96, 3, 1, 1, 1},     // a weight gradient too large to split over the batch
        {1, 4, 12, 13, 3, 3, 2, 2, 2},     // batch 1, dilation 2
        {5, 2, 17, 9, 3, 2, 3, 1, 1},      // 2x2 kernel, stride 3
        // Shifted windows of padded planes (stride 1, L >= 128, >= 16 weights per output channel):
        {2, 2, 12, 12, 3, 3, 1, 1, 1},     // forward and input gradient both shifted
        {2, 2, 14, 13, 3, 3, 1, 0, 1},     // no padding: the input gradient pads by the full reach
        {2, 1, 16, 16, 4, 5, 1, 2, 1},     // 5x5, padding 2
        {2, 2, 14, 14, 3, 3, 1, 2, 2},     // dilation 2 with padding 2
        {2, 3, 9, 20, 4, 3, 1, 1, 1},      // a wide rectangle
        {2, 4, 12, 12, 1, 3, 1, 1, 1},     // shifted forward, im2col input gradient (9 weights per row)
        {2, 1, 12, 12, 4, 3, 1, 1, 1},     // im2col forward (9 weights), shifted input gradient
        {2, 16, 12, 12, 3, 1, 1, 1, 1},    // 1x1 with padding past the kernel's reach: im2col
        {2, 3, 12, 12, 4, 3, 1, 3, 1},     // padding 3 past a 3x3 kernel's reach: im2col
        // Weight gradient over channels-last images (stride 1, >= 16 input channels, small dW):
        {3, 16, 9, 11, 40, 3, 1, 1, 1},    // channels as a 12-row and a 4-row tile, a partial panel
        {11, 20, 7, 6, 33, 3, 1, 2, 2},    // a packed 8-row sliver, dilation 2, 11 images in 8 pieces
        {1, 17, 5, 5, 32, 2, 1, 0, 1},     // batch 1, 2x2 kernel without padding, a 5-row sliver
        {40, 16, 14, 14, 32, 3, 1, 1, 1},  // the CNN's second layer: several chunks a piece
        {2, 16, 6, 7, 8, 3, 1, 3, 1},      // padding past the kernel's reach: output larger than input
        {3, 24, 3, 3, 4, 5, 1, 2, 1},      // a 5x5 kernel over a 3x3 image, 24 channels (two full slivers)
        {2, 20, 20, 20, 33, 3, 1, 0, 1},   // an 8-row sliver against a partial panel, read up to a full chunk's end
    };

    @Test
    void everyPathMatchesTheDirectConvolution() {
        Random random = new Random(5);
        for (int[] c : CASES) {
            Tensor x = leaf(uniform(random, c[0] * c[1] * c[2] * c[3], -1, 1), c[0], c[1], c[2], c[3]);
            checkAgainstDirect(random, c, x, false);
        }
    }

    @Test
    void nonContiguousInputsAndGradients() {
        Random random = new Random(6);
        int[][] cases = {{3, 4, 11, 10, 5, 3, 1, 1, 1}, {9, 3, 6, 7, 4, 3, 2, 1, 1}, {3, 18, 7, 8, 5, 3, 1, 1, 1}};
        for (int[] c : cases) {
            float[] values = uniform(random, c[0] * c[1] * c[2] * c[3], -1, 1);
            checkAgainstDirect(random, c, transposedLeaf(values, c[0], c[1], c[2], c[3]), true);
            checkAgainstDirect(random, c, narrowedLeaf(values, c[0], c[1], c[2], c[3]), false);
        }
    }

    /**
     * The convolutions' scratch buffers (packed weights, columns, group products, gathered output
     * gradients, weight-gradient partials) come back from the thread's pool with the last call's
     * contents. Each case first runs on NaN inputs, so any element read before it is written turns
     * the checked run's results into NaN. Sizes are above the pool's floor (16K floats).
     */
    @Test
    void recycledScratchBuffersLeaveNoTrace() {
        int[][] cases = {
            {8, 64, 8, 8, 128, 3, 1, 1, 1},    // groups of 4 images: columns, products, gathered G; chained dW
            {16, 32, 16, 16, 64, 3, 2, 1, 1},  // stride 2: batch-split dW, transposed, with partials
            {2, 64, 16, 16, 64, 3, 1, 1, 1},   // shifted windows: flipped, packed weight for dX
        };
        for (int threads : new int[] {1, 2}) {
            Parallelism.setThreads(threads);
            Random random = new Random(8);
            for (int[] c : cases) {
                poison(c);
                Tensor x = leaf(uniform(random, c[0] * c[1] * c[2] * c[3], -1, 1), c[0], c[1], c[2], c[3]);
                checkAgainstDirect(random, c, x, false);
            }
        }
    }

    private static void poison(int[] c) {
        Tensor x = leaf(nans(c[0] * c[1] * c[2] * c[3]), c[0], c[1], c[2], c[3]);
        Tensor w = leaf(nans(c[4] * c[1] * c[5] * c[5]), c[4], c[1], c[5], c[5]);
        Tensor y = Functional.conv2d(x, w, null, c[6], c[7], c[8]);
        y.backward(Tensor.fromArray(nans(y.numel()), y.shape()));
    }

    private static float[] nans(int n) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, Float.NaN);
        return values;
    }

    private static void checkAgainstDirect(Random random, int[] c, Tensor x, boolean transposedGrad) {
        String label = java.util.Arrays.toString(c);
        Tensor w = leaf(uniform(random, c[4] * c[1] * c[5] * c[5], -1, 1), c[4], c[1], c[5], c[5]);
        Tensor b = leaf(uniform(random, c[4], -1, 1), c[4]);
        Tensor y = Functional.conv2d(x, w, b, c[6], c[7], c[8]);
        Direct ref = new Direct(x.shape(), w.shape(), c[6], c[7], c[8]);
        int[] ys = y.shape();
        assertArrayEquals(new int[] {c[0], c[4], ref.outH, ref.outW}, ys, label);
        float[] g = uniform(random, y.numel(), -1, 1);
        Tensor grad = transposedGrad ? transposedLeaf(g, ys).detach() : Tensor.fromArray(g, ys);
        y.backward(grad);
        double[] xv = toDouble(x.toArray());
        double[] wv = toDouble(w.toArray());
        assertClose(label + " forward", ref.forward(xv, wv, toDouble(b.toArray())), y.toArray());
        assertClose(label + " input gradient", ref.inputGrad(toDouble(g), wv), x.grad().toArray());
        assertClose(label + " weight gradient", ref.weightGrad(xv, toDouble(g)), w.grad().toArray());
        assertClose(label + " bias gradient", ref.biasGrad(toDouble(g)), b.grad().toArray());
    }

    /** Large batches take the parallel paths (per image, per group, batch pieces, inside the GEMM). */
    @Test
    void bitIdenticalForEveryThreadCount() {
        int[][] cases = {{16, 16, 20, 20, 32, 3, 1, 1, 1}, {64, 8, 4, 4, 16, 3, 1, 1, 1},
            {6, 40, 6, 6, 64, 3, 2, 1, 1}, {64, 1, 28, 28, 16, 3, 1, 1, 1}};
        for (int[] c : cases) {
            List<float[]> reference = null;
            for (int threads : new int[] {1, 2, 3, 8}) {
                Parallelism.setThreads(threads);
                List<float[]> results = run(c);
                if (reference == null) {
                    reference = results;
                }
                for (int i = 0; i < results.size(); i++) {
                    assertArrayEquals(reference.get(i), results.get(i), java.util.Arrays.toString(c) + ", result "
                            + i + ", " + threads + " threads");
                }
            }
        }
    }

    private static List<float[]> run(int[] c) {
        Random random = new Random(17);
        Tensor x = leaf(uniform(random, c[0] * c[1] * c[2] * c[3], -1, 1), c[0], c[1], c[2], c[3]);
        Tensor w = leaf(uniform(random, c[4] * c[1] * c[5] * c[5], -1, 1), c[4], c[1], c[5], c[5]);
        Tensor b = leaf(uniform(random, c[4], -1, 1), c[4]);
        Tensor y = Functional.conv2d(x, w, b, c[6], c[7], c[8]);
        y.backward(Tensor.fromArray(uniform(random, y.numel(), -1, 1), y.shape()));
        return List.of(y.toArray(), x.grad().toArray(), w.grad().toArray(), b.grad().toArray());
    }

    @Test
    void emptyBatch() {
        Tensor x = Tensor.zeros(0, 2, 5, 5).requiresGrad(true);
        Tensor w = leaf(new float[3 * 2 * 9], 3, 2, 3, 3);
        Tensor y = Functional.conv2d(x, w, null, 1, 1, 1);
        assertArrayEquals(new int[] {0, 3, 5, 5}, y.shape());
        y.sum().backward();
        assertEquals(0, x.grad().numel());
        for (float v : w.grad().toArray()) {
            assertEquals(0f, v);
        }
    }

    // Float sums of n terms stay within n·2^-24 of their size, a few of the sum of magnitudes here.
    private static void assertClose(String label, Expected expected, float[] actual) {
        assertEquals(expected.value.length, actual.length, label + ": size");
        for (int i = 0; i < actual.length; i++) {
            double bound = 1e-5 * expected.magnitude[i] + 1e-6;
            assertTrue(Math.abs(actual[i] - expected.value[i]) <= bound, label + ": element " + i + " is " + actual[i]
                    + ", expected " + expected.value[i] + " (bound " + bound + ")");
        }
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /** Reference values and the sum of the magnitudes of their terms (the scale of rounding). */
    private record Expected(double[] value, double[] magnitude) {
    }

    /** The direct convolution in double: every (image, o, c, oh, ow, i, j) term visited once. */
    private static final class Direct {
        final int n;
        final int ch;
        final int h;
        final int wd;
        final int o;
        final int kh;
        final int kw;
        final int stride;
        final int pad;
        final int dil;
        final int outH;
        final int outW;

        Direct(int[] xs, int[] ws, int stride, int pad, int dil) {
            n = xs[0];
            ch = xs[1];
            h = xs[2];
            wd = xs[3];
            o = ws[0];
            kh = ws[2];
            kw = ws[3];
            this.stride = stride;
            this.pad = pad;
            this.dil = dil;
            outH = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1;
            outW = (wd + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
        }

        /** Calls {@code term(xIndex, wIndex, yIndex)} for every in-bounds product of the convolution. */
        void visit(Term term) {
            for (int i = 0; i < n; i++) {
                for (int f = 0; f < o; f++) {
                    for (int y = 0; y < outH; y++) {
                        for (int z = 0; z < outW; z++) {
                            int yi = ((i * o + f) * outH + y) * outW + z;
                            for (int c = 0; c < ch; c++) {
                                for (int p = 0; p < kh; p++) {
                                    for (int q = 0; q < kw; q++) {
                                        int r = y * stride - pad + p * dil;
                                        int s = z * stride - pad + q * dil;
                                        if (r >= 0 && r < h && s >= 0 && s < wd) {
                                            term.add(((i * ch + c) * h + r) * wd + s, ((f * ch + c) * kh + p) * kw + q, yi);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        Expected forward(double[] x, double[] w, double[] b) {
            double[] v = new double[n * o * outH * outW];
            double[] m = new double[v.length];
            for (int yi = 0; yi < v.length; yi++) {
                v[yi] = b[yi / (outH * outW) % o];
                m[yi] = Math.abs(v[yi]);
            }
            visit((xi, wi, yi) -> {
                v[yi] += x[xi] * w[wi];
                m[yi] += Math.abs(x[xi] * w[wi]);
            });
            return new Expected(v, m);
        }

        Expected inputGrad(double[] g, double[] w) {
            double[] v = new double[n * ch * h * wd];
            double[] m = new double[v.length];
            visit((xi, wi, yi) -> {
                v[xi] += g[yi] * w[wi];
                m[xi] += Math.abs(g[yi] * w[wi]);
            });
            return new Expected(v, m);
        }

        Expected weightGrad(double[] x, double[] g) {
            double[] v = new double[o * ch * kh * kw];
            double[] m = new double[v.length];
            visit((xi, wi, yi) -> {
                v[wi] += g[yi] * x[xi];
                m[wi] += Math.abs(g[yi] * x[xi]);
            });
            return new Expected(v, m);
        }

        Expected biasGrad(double[] g) {
            double[] v = new double[o];
            double[] m = new double[o];
            for (int yi = 0; yi < g.length; yi++) {
                v[yi / (outH * outW) % o] += g[yi];
                m[yi / (outH * outW) % o] += Math.abs(g[yi]);
            }
            return new Expected(v, m);
        }
    }

    @FunctionalInterface
    private interface Term {
        void add(int xIndex, int wIndex, int yIndex);
    }
}
