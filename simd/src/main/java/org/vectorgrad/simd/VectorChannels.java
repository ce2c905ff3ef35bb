package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API per-channel kernels (layout as in {@link ScalarChannels}). Reductions run one
 * channel per task, each over its rows in order (a row's vector partials are reduced into a double
 * before the next row), so a channel's result does not depend on the thread count. Elementwise
 * kernels split rows across threads. Rows of at most {@link ColumnChannels#SHORT_ROW} elements
 * (small planes, and inner = 1 for an N×C input) go to {@link ColumnChannels}, vectorised across
 * channels.
 */
final class VectorChannels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int GRAIN = 1 << 14;

    private VectorChannels() {
    }

    private static int chunk(int perItem) {
        return Math.max(1, GRAIN / Math.max(1, perItem));
    }

    static void moments(int outer, int channels, int inner, float[] x, int xOffset, float[] mean, float[] variance) {
        if (ColumnChannels.suits(inner)) {
            ColumnChannels.moments(outer, channels, inner, x, xOffset, mean, variance);
            return;
        }
        double count = (double) outer * inner;
        Parallel.forRange(channels, chunk(outer * inner), (from, to) -> {
            VectorSoftmax.Scratch scratch = new VectorSoftmax.Scratch();
            float[] lanes = scratch.floats;
            for (int c = from; c < to; c++) {
                double sum = 0;
                for (int n = 0; n < outer; n++) {
                    sum += VectorReductions.contiguousSum(x, xOffset + (n * channels + c) * inner, inner, scratch);
                }
                float m = (float) (sum / count);
                double squares = 0;
                for (int n = 0; n < outer; n++) {
                    squares += squaredDeviations(x, xOffset + (n * channels + c) * inner, inner, m, lanes);
                }
                mean[c] = m;
                variance[c] = (float) (squares / count);
            }
        });
    }

    private static double squaredDeviations(float[] x, int at, int n, float m, float[] lanes) {
        FloatVector acc = FloatVector.zero(SPECIES);
        FloatVector centre = FloatVector.broadcast(SPECIES, m);
        int k = 0;
        int bound = SPECIES.loopBound(n);
        for (; k < bound; k += SPECIES.length()) {
            FloatVector d = FloatVector.fromArray(SPECIES, x, at + k).sub(centre);
            acc = d.fma(d, acc);
        }
        double total = laneSum(acc, lanes);
        // scalar tail
        for (; k < n; k++) {
            double d = x[at + k] - m;
            total += d * d;
        }
        return total;
    }

    /**
     * The lanes added in double in lane order. NOTE: not {@code reduceLanes(ADD)}, whose float
     * association may differ between the interpreter and C2, so a result could change as the
     * code warms up.
     */
    private static double laneSum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        double total = 0;
        for (float lane : lanes) {
            total += lane;
        }
        return total;
    }

    static void affine(int outer, int channels, int inner, float[] x, int xOffset, float[] scale, float[] shift,
                       float[] dst, int dstOffset) {
        if (ColumnChannels.suits(inner)) {
            ColumnChannels.affine(outer, channels, inner, x, xOffset, scale, shift, dst, dstOffset);
            return;
        }
        Parallel.forRange(outer * channels, chunk(inner), (from, to) -> {
            for (int r = from; r < to; r++) {
                int c = r % channels;
                affineRow(x, xOffset + r * inner, scale[c], shift[c], dst, dstOffset + r * inner, inner);
            }
        });
    }

    private static void affineRow(float[] x, int at, float scale, float shift, float[] dst, int to, int n) {
        FloatVector s = FloatVector.broadcast(SPECIES, scale);
        FloatVector b = FloatVector.broadcast(SPECIES, shift);
        int k = 0;
        int bound = SPECIES.loopBound(n);
        for (; k < bound; k += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, at + k).fma(s, b).intoArray(dst, to + k);
        }
        // scalar tail
        for (; k < n; k++) {
            dst[to + k] = Math.fma(x[at + k], scale, shift);
        }
    }

    static void gradSums(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x, int xOffset,
                         float[] centre, float[] sumGrad, float[] sumGradCentred) {
        if (ColumnChannels.suits(inner)) {
            ColumnChannels.gradSums(outer, channels, inner, grad, gradOffset, x, xOffset, centre, sumGrad,
                    sumGradCentred);
            return;
        }
        Parallel.forRange(channels, chunk(outer * inner), (from, to) -> {
            double[] pair = new double[2];
            float[] lanes = new float[SPECIES.length()];
            for (int c = from; c < to; c++) {
                double g = 0;
                double gx = 0;
                for (int n = 0; n < outer; n++) {
                    int row = (n * channels + c) * inner;
                    gradSumsRow(grad, gradOffset + row, x, xOffset + row, centre[c], inner, pair, lanes);
                    g += pair[0];
                    gx += pair[1];
                }
                sumGrad[c] = (float) g;
                sumGradCentred[c] = (float) gx;
            }
        });
    }

    private static void gradSumsRow(float[] grad, int g, float[] x, int at, float centre, int n, double[] pair,
                                    float[] lanes) {
        FloatVector sg = FloatVector.zero(SPECIES);
        FloatVector sgx = sg;
        FloatVector m = FloatVector.broadcast(SPECIES, centre);
        int k = 0;
        int bound = SPECIES.loopBound(n);
        for (; k < bound; k += SPECIES.length()) {
            FloatVector gv = FloatVector.fromArray(SPECIES, grad, g + k);
            sg = sg.add(gv);
            sgx = gv.fma(FloatVector.fromArray(SPECIES, x, at + k).sub(m), sgx);
        }
        double sumG = laneSum(sg, lanes);
        double sumGx = laneSum(sgx, lanes);
        // scalar tail
        for (; k < n; k++) {
            float gk = grad[g + k];
            sumG += gk;
            sumGx += (double) gk * (x[at + k] - centre);
        }
        pair[0] = sumG;
        pair[1] = sumGx;
    }

    static void affine2(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x, int xOffset,
                        float[] gradScale, float[] xScale, float[] shift, float[] dst, int dstOffset) {
        if (ColumnChannels.suits(inner)) {
            ColumnChannels.affine2(outer, channels, inner, grad, gradOffset, x, xOffset, gradScale, xScale, shift,
                    dst, dstOffset);
            return;
        }
        Parallel.forRange(outer * channels, chunk(inner), (from, to) -> {
            for (int r = from; r < to; r++) {
                int c = r % channels;
                affine2Row(grad, gradOffset + r * inner, x, xOffset + r * inner, gradScale[c], xScale[c], shift[c],
                        dst, dstOffset + r * inner, inner);
            }
        });
    }

    private static void affine2Row(float[] grad, int g, float[] x, int at, float gs, float xs, float shift,
                                   float[] dst, int to, int n) {
        FloatVector a = FloatVector.broadcast(SPECIES, gs);
        FloatVector b = FloatVector.broadcast(SPECIES, xs);
        FloatVector k0 = FloatVector.broadcast(SPECIES, shift);
        int k = 0;
        int bound = SPECIES.loopBound(n);
        for (; k < bound; k += SPECIES.length()) {
            FloatVector partial = FloatVector.fromArray(SPECIES, x, at + k).fma(b, k0);
            FloatVector.fromArray(SPECIES, grad, g + k).fma(a, partial).intoArray(dst, to + k);
        }
        // scalar tail
        for (; k < n; k++) {
            dst[to + k] = Math.fma(grad[g + k], gs, Math.fma(x[at + k], xs, shift));
        }
    }
}
