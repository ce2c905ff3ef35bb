package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Products with few outputs whose operands both run along k (A's rows and B's columns
 * contiguous): every output is a dot product, and blocks of 4 A rows × 3 B columns share their
 * loads, 7 vectors for 12 FMAs. A weight gradient with few weights per output channel (a
 * one-channel 3×3 convolution: 16 output channels × 9 taps over 784 positions an image) is such
 * a product; the packed GEMM would pad it to a 12×32 tile, and one dot product at a time reloads
 * every row for each output.
 *
 * <p>NOTE: each output is the same computation in a block or alone: lane-wise FMAs over p in
 * order (the last, partial vector masked), then its lanes summed in a fixed order through an
 * array (reduceLanes leaves its order unspecified, and interpreted and compiled code could
 * differ). So its bits depend on k only, never on the blocking or the thread count.
 */
final class VectorInnerProducts {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** The largest m and n sent here: beyond, the packed GEMM's register tiles pay. */
    static final int MAX_SIDE = 16;
    /** A rows of a block (also the rows a task takes at a time). */
    static final int ROWS = 4;
    private static final int COLUMNS = 3;

    private VectorInnerProducts() {
    }

    /** C[i, j] (+)= Σ_p a[ao + i·ars + p]·b[bo + j·bcs + p] for i in [i0, i1), j &lt; n. */
    static void products(int i0, int i1, int n, int k, float[] a, int ao, int ars, float[] b, int bo, int bcs,
                         float[] c, int co, int crs, boolean accumulate) {
        float[] lanes = new float[ROWS * COLUMNS * L];
        for (int i = i0; i < i1; i += ROWS) {
            int rows = Math.min(ROWS, i1 - i);
            for (int j = 0; j < n; j += COLUMNS) {
                int cols = Math.min(COLUMNS, n - j);
                if (rows == ROWS && cols == COLUMNS) {
                    block(k, a, ao + i * ars, ars, b, bo + j * bcs, bcs, lanes);
                    for (int r = 0; r < ROWS; r++) {
                        for (int s = 0; s < COLUMNS; s++) {
                            store(c, co + (i + r) * crs + j + s, sum(lanes, (r * COLUMNS + s) * L), accumulate);
                        }
                    }
                } else {
                    for (int r = 0; r < rows; r++) {
                        for (int s = 0; s < cols; s++) {
                            single(k, a, ao + (i + r) * ars, b, bo + (j + s) * bcs, lanes);
                            store(c, co + (i + r) * crs + j + s, sum(lanes, 0), accumulate);
                        }
                    }
                }
            }
        }
    }

    private static void store(float[] c, int at, float dot, boolean accumulate) {
        c[at] = accumulate ? c[at] + dot : dot;
    }

    private static float sum(float[] lanes, int from) {
        float total = 0f;
        for (int l = 0; l < L; l++) {
            total += lanes[from + l];
        }
        return total;
    }

    private static void single(int k, float[] a, int ao, float[] b, int bo, float[] lanes) {
        FloatVector s = FloatVector.zero(SPECIES);
        int p = 0;
        for (; p + L <= k; p += L) {
            s = FloatVector.fromArray(SPECIES, a, ao + p).fma(FloatVector.fromArray(SPECIES, b, bo + p), s);
        }
        if (p < k) {
            VectorMask<Float> m = SPECIES.indexInRange(p, k);
            s = FloatVector.fromArray(SPECIES, a, ao + p, m).fma(FloatVector.fromArray(SPECIES, b, bo + p, m), s);
        }
        s.intoArray(lanes, 0);
    }

    // The 4×3 block's lane sums into lanes[(r·3 + s)·L ...]; the same FMA sequence as single().
    // NOTE: whole vectors load unmasked and only the tail takes a mask. With one loop whose mask
    // was all-true or the tail's, C2's first compiles left the masked load as a Java call: the CNN
    // ran this kernel boxed for 8 s of its 10 s first epoch (2 GB/s of garbage).
    private static void block(int k, float[] a, int ao, int ars, float[] b, int bo, int bcs, float[] lanes) {
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = s00;
        FloatVector s02 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s12 = s00;
        FloatVector s20 = s00;
        FloatVector s21 = s00;
        FloatVector s22 = s00;
        FloatVector s30 = s00;
        FloatVector s31 = s00;
        FloatVector s32 = s00;
        int p = 0;
        for (; p + L <= k; p += L) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo + p);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + bcs + p);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bo + 2 * bcs + p);
            FloatVector x = FloatVector.fromArray(SPECIES, a, ao + p);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            s02 = x.fma(b2, s02);
            x = FloatVector.fromArray(SPECIES, a, ao + ars + p);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            s12 = x.fma(b2, s12);
            x = FloatVector.fromArray(SPECIES, a, ao + 2 * ars + p);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            s22 = x.fma(b2, s22);
            x = FloatVector.fromArray(SPECIES, a, ao + 3 * ars + p);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
            s32 = x.fma(b2, s32);
        }
        if (p < k) {
            VectorMask<Float> m = SPECIES.indexInRange(p, k);
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo + p, m);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + bcs + p, m);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bo + 2 * bcs + p, m);
            FloatVector x = FloatVector.fromArray(SPECIES, a, ao + p, m);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            s02 = x.fma(b2, s02);
            x = FloatVector.fromArray(SPECIES, a, ao + ars + p, m);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            s12 = x.fma(b2, s12);
            x = FloatVector.fromArray(SPECIES, a, ao + 2 * ars + p, m);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            s22 = x.fma(b2, s22);
            x = FloatVector.fromArray(SPECIES, a, ao + 3 * ars + p, m);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
            s32 = x.fma(b2, s32);
        }
        s00.intoArray(lanes, 0);
        s01.intoArray(lanes, L);
        s02.intoArray(lanes, 2 * L);
        s10.intoArray(lanes, 3 * L);
        s11.intoArray(lanes, 4 * L);
        s12.intoArray(lanes, 5 * L);
        s20.intoArray(lanes, 6 * L);
        s21.intoArray(lanes, 7 * L);
        s22.intoArray(lanes, 8 * L);
        s30.intoArray(lanes, 9 * L);
        s31.intoArray(lanes, 10 * L);
        s32.intoArray(lanes, 11 * L);
    }
}
