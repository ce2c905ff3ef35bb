package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked GEMM micro-kernels: C[0..MR, 0..NR) (+)= Ã·B̃ over one depth block of
 * packed operands, where Ã is an MR-row sliver stored p-major ({@code ap[p·MR + r]}) and B̃ an
 * NR-column panel stored p-major ({@code bp[p·NR + j]}, or B's rows read where they lie), NR = 2
 * vectors. Each step broadcasts MR
 * elements of Ã against the two vectors of B̃ into MR×2 accumulators that live in registers.
 *
 * <p>The tile height follows the register file, chosen once from the vector length so C2 folds
 * the choice: 16 lanes (AVX-512, 32 registers) use 12×2 accumulators, shorter vectors (AVX2, 16
 * registers) 5×2, since a 6×2 tile plus two B vectors and the broadcast spills there; at 16
 * lanes 12×2 (24 accumulators) measured about 25% faster than 8×2.
 *
 * <p>Ã's column p is either packed ({@code ap[ao + p·MR + r]}, {@code aRows} null) or MR contiguous
 * elements where they lie ({@code ap[aRows[p] + ao + r]}): a convolution's weight gradient reads
 * channels-last images in place, one table of positions serving every kernel tap. With a row
 * stride {@code ars} other than 0 (16 lanes only), Ã is instead MR rows of a row-major A read
 * where they lie, {@code ap[ao + r·ars + p]}: a large weight that few columns reuse is not worth
 * a packing pass.
 *
 * <p>NOTE: the accumulators start from C when {@code load} (from zero otherwise) and every step
 * is one FMA, so each C element is a single FMA chain over p in increasing order whatever the
 * blocking: a later depth block continues exactly where the previous one stored its partial.
 * The kernels are long because every accumulator must be a named local: vectors in an array
 * would live in memory.
 */
final class GemmKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final boolean WIDE = L >= 16;
    /** Rows of the register tile. */
    static final int MR = WIDE ? 12 : 5;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;
    /** Whether {@link #tile} reads Ã's rows where they lie (a row stride): the 12-row tile only. */
    static final boolean READS_ROWS = WIDE;

    private GemmKernels() {
    }

    /**
     * C[r·crs + j] (+)= Σ_p ap[ao + p·MR + r]·B[p][j] for r &lt; MR, j &lt; NR, p &lt; kc, where B's row p
     * is a packed panel's ({@code bp[bo + p·NR + j]}) when {@code starts} is null, else read where
     * it lies ({@code bp[starts[p] + bo + j]}): products whose A has few slivers reuse a packed
     * panel too little to repay copying it. Either way the same FMA chain, so the same bits. Ã is
     * packed or tabled when {@code ars} is 0, else rows ars apart (see above).
     */
    static void tile(int kc, float[] ap, int[] aRows, int ao, int ars, float[] bp, int[] starts, int bo, float[] c,
                     int co, int crs, boolean load) {
        if (ars != 0) {
            tile12Rows(kc, ap, ao, ars, bp, starts, bo, c, co, crs, load);
        } else if (WIDE) {
            tile12(kc, ap, aRows, ao, bp, starts, bo, c, co, crs, load);
        } else {
            tile5(kc, ap, aRows, ao, bp, starts, bo, c, co, crs, load);
        }
    }

    /**
     * The first four rows of {@link #tile}: a sliver with at most four real rows (the last of an
     * m that is not a multiple of MR) skips the padding rows' arithmetic.
     */
    static void tile4(int kc, float[] ap, int[] aRows, int ao, float[] bp, int[] starts, int bo, float[] c, int co,
                      int crs, boolean load) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, co) : z;
        FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, co + L) : z;
        FloatVector c10 = load ? FloatVector.fromArray(SPECIES, c, co + crs) : z;
        FloatVector c11 = load ? FloatVector.fromArray(SPECIES, c, co + crs + L) : z;
        FloatVector c20 = load ? FloatVector.fromArray(SPECIES, c, co + 2 * crs) : z;
        FloatVector c21 = load ? FloatVector.fromArray(SPECIES, c, co + 2 * crs + L) : z;
        FloatVector c30 = load ? FloatVector.fromArray(SPECIES, c, co + 3 * crs) : z;
        FloatVector c31 = load ? FloatVector.fromArray(SPECIES, c, co + 3 * crs + L) : z;
        for (int p = 0; p < kc; p++) {
            int a = aRows == null ? ao + p * MR : aRows[p] + ao;
            int row = starts == null ? bo + p * NR : starts[p] + bo;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, row);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, row + L);
            FloatVector x = FloatVector.broadcast(SPECIES, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + crs);
        c11.intoArray(c, co + crs + L);
        c20.intoArray(c, co + 2 * crs);
        c21.intoArray(c, co + 2 * crs + L);
        c30.intoArray(c, co + 3 * crs);
        c31.intoArray(c, co + 3 * crs + L);
    }

    private static void tile12(int kc, float[] ap, int[] aRows, int ao, float[] bp, int[] starts, int bo,
                               float[] c, int co, int crs, boolean load) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, co) : z;
        FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, co + L) : z;
        FloatVector c10 = load ? FloatVector.fromArray(SPECIES, c, co + crs) : z;
        FloatVector c11 = load ? FloatVector.fromArray(SPECIES, c, co + crs + L) : z;
        FloatVector c20 = load ? FloatVector.fromArray(SPECIES, c, co + 2 * crs) : z;
        FloatVector c21 = load ? FloatVector.fromArray(SPECIES, c, co + 2 * crs + L) : z;
        FloatVector c30 = load ? FloatVector.fromArray(SPECIES, c, co + 3 * crs) : z;
        FloatVector c31 = load ? FloatVector.fromArray(SPECIES, c, co + 3 * crs + L) : z;
        FloatVector c40 = load ? FloatVector.fromArray(SPECIES, c, co + 4 * crs) : z;
        FloatVector c41 = load ? FloatVector.fromArray(SPECIES, c, co + 4 * crs + L) : z;
        FloatVector c50 = load ? FloatVector.fromArray(SPECIES, c, co + 5 * crs) : z;
        FloatVector c51 = load ? FloatVector.fromArray(SPECIES, c, co + 5 * crs + L) : z;
        FloatVector c60 = load ? FloatVector.fromArray(SPECIES, c, co + 6 * crs) : z;
        FloatVector c61 = load ? FloatVector.fromArray(SPECIES, c, co + 6 * crs + L) : z;
        FloatVector c70 = load ? FloatVector.fromArray(SPECIES, c, co + 7 * crs) : z;
        FloatVector c71 = load ? FloatVector.fromArray(SPECIES, c, co + 7 * crs + L) : z;
        FloatVector c80 = load ? FloatVector.fromArray(SPECIES, c, co + 8 * crs) : z;
        FloatVector c81 = load ? FloatVector.fromArray(SPECIES, c, co + 8 * crs + L) : z;
        FloatVector c90 = load ? FloatVector.fromArray(SPECIES, c, co + 9 * crs) : z;
        FloatVector c91 = load ? FloatVector.fromArray(SPECIES, c, co + 9 * crs + L) : z;
        FloatVector c100 = load ? FloatVector.fromArray(SPECIES, c, co + 10 * crs) : z;
        FloatVector c101 = load ? FloatVector.fromArray(SPECIES, c, co + 10 * crs + L) : z;
        FloatVector c110 = load ? FloatVector.fromArray(SPECIES, c, co + 11 * crs) : z;
        FloatVector c111 = load ? FloatVector.fromArray(SPECIES, c, co + 11 * crs + L) : z;
        for (int p = 0; p < kc; p++) {
            int a = aRows == null ? ao + p * 12 : aRows[p] + ao;
            int row = starts == null ? bo + p * NR : starts[p] + bo;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, row);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, row + L);
            FloatVector x = FloatVector.broadcast(SPECIES, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SPECIES, ap[a + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SPECIES, ap[a + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(SPECIES, ap[a + 8]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(SPECIES, ap[a + 9]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(SPECIES, ap[a + 10]);
            c100 = x.fma(b0, c100);
            c101 = x.fma(b1, c101);
            x = FloatVector.broadcast(SPECIES, ap[a + 11]);
            c110 = x.fma(b0, c110);
            c111 = x.fma(b1, c111);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + crs);
        c11.intoArray(c, co + crs + L);
        c20.intoArray(c, co + 2 * crs);
        c21.intoArray(c, co + 2 * crs + L);
        c30.intoArray(c, co + 3 * crs);
        c31.intoArray(c, co + 3 * crs + L);
        c40.intoArray(c, co + 4 * crs);
        c41.intoArray(c, co + 4 * crs + L);
        c50.intoArray(c, co + 5 * crs);
        c51.intoArray(c, co + 5 * crs + L);
        c60.intoArray(c, co + 6 * crs);
        c61.intoArray(c, co + 6 * crs + L);
        c70.intoArray(c, co + 7 * crs);
        c71.intoArray(c, co + 7 * crs + L);
        c80.intoArray(c, co + 8 * crs);
        c81.intoArray(c, co + 8 * crs + L);
        c90.intoArray(c, co + 9 * crs);
        c91.intoArray(c, co + 9 * crs + L);
        c100.intoArray(c, co + 10 * crs);
        c101.intoArray(c, co + 10 * crs + L);
        c110.intoArray(c, co + 11 * crs);
        c111.intoArray(c, co + 11 * crs + L);
    }

    // tile12 with Ã's rows read where they lie, ars apart: its own method because a runtime step in
    // p (the packed layout's MR against 1 here) costs range checks in every step, 40% of the speed.
    private static void tile12Rows(int kc, float[] ap, int ao, int ars, float[] bp, int[] starts, int bo,
                                   float[] c, int co, int crs, boolean load) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, co) : z;
        FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, co + L) : z;
        FloatVector c10 = load ? FloatVector.fromArray(SPECIES, c, co + crs) : z;
        FloatVector c11 = load ? FloatVector.fromArray(SPECIES, c, co + crs + L) : z;
        FloatVector c20 = load ? FloatVector.fromArray(SPECIES, c, co + 2 * crs) : z;
        FloatVector c21 = load ? FloatVector.fromArray(SPECIES, c, co + 2 * crs + L) : z;
        FloatVector c30 = load ? FloatVector.fromArray(SPECIES, c, co + 3 * crs) : z;
        FloatVector c31 = load ? FloatVector.fromArray(SPECIES, c, co + 3 * crs + L) : z;
        FloatVector c40 = load ? FloatVector.fromArray(SPECIES, c, co + 4 * crs) : z;
        FloatVector c41 = load ? FloatVector.fromArray(SPECIES, c, co + 4 * crs + L) : z;
        FloatVector c50 = load ? FloatVector.fromArray(SPECIES, c, co + 5 * crs) : z;
        FloatVector c51 = load ? FloatVector.fromArray(SPECIES, c, co + 5 * crs + L) : z;
        FloatVector c60 = load ? FloatVector.fromArray(SPECIES, c, co + 6 * crs) : z;
        FloatVector c61 = load ? FloatVector.fromArray(SPECIES, c, co + 6 * crs + L) : z;
        FloatVector c70 = load ? FloatVector.fromArray(SPECIES, c, co + 7 * crs) : z;
        FloatVector c71 = load ? FloatVector.fromArray(SPECIES, c, co + 7 * crs + L) : z;
        FloatVector c80 = load ? FloatVector.fromArray(SPECIES, c, co + 8 * crs) : z;
        FloatVector c81 = load ? FloatVector.fromArray(SPECIES, c, co + 8 * crs + L) : z;
        FloatVector c90 = load ? FloatVector.fromArray(SPECIES, c, co + 9 * crs) : z;
        FloatVector c91 = load ? FloatVector.fromArray(SPECIES, c, co + 9 * crs + L) : z;
        FloatVector c100 = load ? FloatVector.fromArray(SPECIES, c, co + 10 * crs) : z;
        FloatVector c101 = load ? FloatVector.fromArray(SPECIES, c, co + 10 * crs + L) : z;
        FloatVector c110 = load ? FloatVector.fromArray(SPECIES, c, co + 11 * crs) : z;
        FloatVector c111 = load ? FloatVector.fromArray(SPECIES, c, co + 11 * crs + L) : z;
        for (int p = 0; p < kc; p++) {
            int a = ao + p;
            int row = starts == null ? bo + p * NR : starts[p] + bo;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, row);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, row + L);
            FloatVector x = FloatVector.broadcast(SPECIES, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, ap[a + ars]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, ap[a + 2 * ars]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, ap[a + 3 * ars]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, ap[a + 4 * ars]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, ap[a + 5 * ars]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SPECIES, ap[a + 6 * ars]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SPECIES, ap[a + 7 * ars]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(SPECIES, ap[a + 8 * ars]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(SPECIES, ap[a + 9 * ars]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(SPECIES, ap[a + 10 * ars]);
            c100 = x.fma(b0, c100);
            c101 = x.fma(b1, c101);
            x = FloatVector.broadcast(SPECIES, ap[a + 11 * ars]);
            c110 = x.fma(b0, c110);
            c111 = x.fma(b1, c111);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + crs);
        c11.intoArray(c, co + crs + L);
        c20.intoArray(c, co + 2 * crs);
        c21.intoArray(c, co + 2 * crs + L);
        c30.intoArray(c, co + 3 * crs);
        c31.intoArray(c, co + 3 * crs + L);
        c40.intoArray(c, co + 4 * crs);
        c41.intoArray(c, co + 4 * crs + L);
        c50.intoArray(c, co + 5 * crs);
        c51.intoArray(c, co + 5 * crs + L);
        c60.intoArray(c, co + 6 * crs);
        c61.intoArray(c, co + 6 * crs + L);
        c70.intoArray(c, co + 7 * crs);
        c71.intoArray(c, co + 7 * crs + L);
        c80.intoArray(c, co + 8 * crs);
        c81.intoArray(c, co + 8 * crs + L);
        c90.intoArray(c, co + 9 * crs);
        c91.intoArray(c, co + 9 * crs + L);
        c100.intoArray(c, co + 10 * crs);
        c101.intoArray(c, co + 10 * crs + L);
        c110.intoArray(c, co + 11 * crs);
        c111.intoArray(c, co + 11 * crs + L);
    }

    private static void tile5(int kc, float[] ap, int[] aRows, int ao, float[] bp, int[] starts, int bo,
                              float[] c, int co, int crs, boolean load) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = load ? FloatVector.fromArray(SPECIES, c, co) : z;
        FloatVector c01 = load ? FloatVector.fromArray(SPECIES, c, co + L) : z;
        FloatVector c10 = load ? FloatVector.fromArray(SPECIES, c, co + crs) : z;
        FloatVector c11 = load ? FloatVector.fromArray(SPECIES, c, co + crs + L) : z;
        FloatVector c20 = load ? FloatVector.fromArray(SPECIES, c, co + 2 * crs) : z;
        FloatVector c21 = load ? FloatVector.fromArray(SPECIES, c, co + 2 * crs + L) : z;
        FloatVector c30 = load ? FloatVector.fromArray(SPECIES, c, co + 3 * crs) : z;
        FloatVector c31 = load ? FloatVector.fromArray(SPECIES, c, co + 3 * crs + L) : z;
        FloatVector c40 = load ? FloatVector.fromArray(SPECIES, c, co + 4 * crs) : z;
        FloatVector c41 = load ? FloatVector.fromArray(SPECIES, c, co + 4 * crs + L) : z;
        for (int p = 0; p < kc; p++) {
            int a = aRows == null ? ao + p * 5 : aRows[p] + ao;
            int row = starts == null ? bo + p * NR : starts[p] + bo;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, row);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, row + L);
            FloatVector x = FloatVector.broadcast(SPECIES, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + crs);
        c11.intoArray(c, co + crs + L);
        c20.intoArray(c, co + 2 * crs);
        c21.intoArray(c, co + 2 * crs + L);
        c30.intoArray(c, co + 3 * crs);
        c31.intoArray(c, co + 3 * crs + L);
        c40.intoArray(c, co + 4 * crs);
        c41.intoArray(c, co + 4 * crs + L);
    }
}
