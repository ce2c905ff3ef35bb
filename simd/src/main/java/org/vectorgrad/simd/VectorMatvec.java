package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Products with one output row or column, where packing would cost as much as the arithmetic:
 * dot products when the long operand's rows are contiguous along k, and a row sweep
 * (out[j] = Σ_p x[p]·M[p, j], M's rows contiguous along j) otherwise. Both read their
 * operands in place.
 *
 * <p>NOTE: the row sweep keeps the GEMM's rounding (each output one FMA chain over p from its
 * initial value), so a 1×k·k×n product equals the matching row of a larger GEMM bit for bit.
 * The dot products use the blocked partial sums of {@link VectorReductions#contiguousDot},
 * which are also fixed by k alone.
 */
final class VectorMatvec {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Output columns a row-sweep step keeps in registers. */
    static final int SWEEP = 4 * L;

    private VectorMatvec() {
    }

    /**
     * out[r·outStride] (+)= Σ_p x[xOffset + r·xStride + p]·y[yOffset + p·yStride] for r in [from, to):
     * rows of x against one vector y.
     */
    static void dots(int from, int to, int k, float[] x, int xOffset, int xStride, float[] y, int yOffset,
                     int yStride, float[] out, int outOffset, int outStride, boolean accumulate) {
        float[] contiguous = y;
        int at = yOffset;
        if (yStride != 1) {
            contiguous = new float[k];
            at = 0;
            for (int p = 0; p < k; p++) {
                contiguous[p] = y[yOffset + p * yStride];
            }
        }
        float[] lanes = new float[L];
        for (int r = from; r < to; r++) {
            float dot = (float) VectorReductions.contiguousDot(x, xOffset + r * xStride, contiguous, at, k, lanes);
            int o = outOffset + r * outStride;
            out[o] = accumulate ? out[o] + dot : dot;
        }
    }

    /**
     * out[j·outStride] (+)= Σ_p x[xOffset + p·xStride]·M[mOffset + p·mRowStride + j] for j in
     * [from, to): one row vector times a matrix whose rows are contiguous.
     */
    static void sweep(int from, int to, int k, float[] x, int xOffset, int xStride, float[] mat, int mOffset,
                      int mRowStride, float[] out, int outOffset, int outStride, boolean accumulate) {
        if (outStride == 1) {
            sweepContiguous(from, to, k, x, xOffset, xStride, mat, mOffset, mRowStride, out, outOffset, accumulate);
            return;
        }
        float[] row = new float[to - from];
        for (int j = from; j < to && accumulate; j++) {
            row[j - from] = out[outOffset + j * outStride];
        }
        sweepContiguous(0, to - from, k, x, xOffset, xStride, mat, mOffset + from, mRowStride, row, 0, accumulate);
        for (int j = from; j < to; j++) {
            out[outOffset + j * outStride] = row[j - from];
        }
    }

    private static void sweepContiguous(int from, int to, int k, float[] x, int xOffset, int xStride,
                                        float[] mat, int mOffset, int mRowStride, float[] out, int outOffset,
                                        boolean accumulate) {
        int j = from;
        for (; j + SWEEP <= to; j += SWEEP) {
            sweep4(k, x, xOffset, xStride, mat, mOffset + j, mRowStride, out, outOffset + j, accumulate);
        }
        for (; j < to; j += L) {
            sweep1(k, x, xOffset, xStride, mat, mOffset + j, mRowStride, out, outOffset + j, to - j, accumulate);
        }
    }

    private static void sweep4(int k, float[] x, int xo, int xs, float[] mat, int mo, int mrs,
                               float[] out, int oo, boolean accumulate) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s0 = accumulate ? FloatVector.fromArray(SPECIES, out, oo) : z;
        FloatVector s1 = accumulate ? FloatVector.fromArray(SPECIES, out, oo + L) : z;
        FloatVector s2 = accumulate ? FloatVector.fromArray(SPECIES, out, oo + 2 * L) : z;
        FloatVector s3 = accumulate ? FloatVector.fromArray(SPECIES, out, oo + 3 * L) : z;
        for (int p = 0; p < k; p++) {
            FloatVector v = FloatVector.broadcast(SPECIES, x[xo + p * xs]);
            int row = mo + p * mrs;
            s0 = v.fma(FloatVector.fromArray(SPECIES, mat, row), s0);
            s1 = v.fma(FloatVector.fromArray(SPECIES, mat, row + L), s1);
            s2 = v.fma(FloatVector.fromArray(SPECIES, mat, row + 2 * L), s2);
            s3 = v.fma(FloatVector.fromArray(SPECIES, mat, row + 3 * L), s3);
        }
        s0.intoArray(out, oo);
        s1.intoArray(out, oo + L);
        s2.intoArray(out, oo + 2 * L);
        s3.intoArray(out, oo + 3 * L);
    }

    private static void sweep1(int k, float[] x, int xo, int xs, float[] mat, int mo, int mrs,
                               float[] out, int oo, int columns, boolean accumulate) {
        VectorMask<Float> mask = SPECIES.indexInRange(0, columns);
        FloatVector s = accumulate ? FloatVector.fromArray(SPECIES, out, oo, mask) : FloatVector.zero(SPECIES);
        for (int p = 0; p < k; p++) {
            FloatVector v = FloatVector.broadcast(SPECIES, x[xo + p * xs]);
            s = v.fma(FloatVector.fromArray(SPECIES, mat, mo + p * mrs, mask), s);
        }
        s.intoArray(out, oo, mask);
    }
}
