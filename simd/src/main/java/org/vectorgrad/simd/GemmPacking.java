package org.vectorgrad.simd;

import static org.vectorgrad.simd.GemmKernels.MR;
import static org.vectorgrad.simd.GemmKernels.NR;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies operand slices into the micro-kernel's layouts (see {@link GemmKernels}): A into
 * MR-row slivers, B into NR-column panels, both p-major and zero-padded. A slice whose elements
 * are contiguous in the packed order is copied by vectors. One that must be transposed on the
 * way is read row by row when A is row-major (the usual A), through in-register block transposes
 * for column-major B (the Wᵀ of a linear layer, the colsᵀ of a weight gradient;
 * {@link PanelTranspose}), and with vector gathers for other strides.
 */
final class GemmPacking {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Steps of p whose MR-element sliver rows fill whole vectors: MR·GROUP is a multiple of L. */
    private static final int GROUP = L / gcd(MR, L);

    private GemmPacking() {
    }

    /** ap[s·MR·kc + p·MR + r] = A[ic + s·MR + r, pc + p], zero for rows past mc. */
    static void packA(Gemm g, int ic, int mc, int pc, int kc, float[] ap) {
        packA(g, ic, mc, pc, kc, ap, 0);
    }

    /** {@link #packA(Gemm, int, int, int, int, float[])} into ap from {@code apOffset} on. */
    static void packA(Gemm g, int ic, int mc, int pc, int kc, float[] ap, int apOffset) {
        int rs = g.aRowStride();
        int cs = g.aColStride();
        int[] index = rs == 1 || cs == 1 ? null : sliverIndex(rs, cs);
        for (int s = 0; s * MR < mc; s++) {
            int rows = Math.min(MR, mc - s * MR);
            int dst = apOffset + s * MR * kc;
            int src = g.aOffset() + (ic + s * MR) * rs + pc * cs;
            if (rows < MR) {
                Arrays.fill(ap, dst, dst + MR * kc, 0f);
                packScalar(g.a(), src, rs, cs, rows, 0, kc, ap, dst);
            } else if (rs == 1) {
                packColumnMajor(g.a(), src, cs, kc, ap, dst);
            } else if (cs == 1) {
                packRowMajor(g.a(), src, rs, kc, ap, dst);
            } else {
                packGathered(g.a(), src, rs, cs, index, kc, ap, dst);
            }
        }
    }

    // A sliver's MR rows are contiguous at every p (a transposed operand, e.g. the gradient in a
    // weight gradient): whole-vector copies, each overwriting the spare lanes of the previous one,
    // about 5x faster than gathers. The spare lanes may read anything in A (even other columns of
    // an overlapping view) but not past its end: the last p, or one whose vector would leave A, is
    // copied singly.
    private static void packColumnMajor(float[] a, int src, int cs, int kc, float[] ap, int dst) {
        int p = 0;
        if (MR <= L && L <= 2 * MR) {
            for (; p < kc - 1 && src + p * cs + L <= a.length; p++) {
                FloatVector.fromArray(SPECIES, a, src + p * cs).intoArray(ap, dst + p * MR);
            }
        }
        packScalar(a, src, 1, cs, MR, p, kc, ap, dst);
    }

    // Row-major A (the usual operand): a row at a time, reading it in order; measured 1.4x faster
    // than gathering each p's MR elements from MR rows.
    private static void packRowMajor(float[] a, int src, int rs, int kc, float[] ap, int dst) {
        for (int r = 0; r < MR; r++) {
            int row = src + r * rs;
            for (int p = 0; p < kc; p++) {
                ap[dst + p * MR + r] = a[row + p];
            }
        }
    }

    private static void packGathered(float[] a, int src, int rs, int cs, int[] index, int kc, float[] ap,
                                     int dst) {
        int p = 0;
        for (; p + GROUP <= kc; p += GROUP) {
            for (int v = 0; v < MR * GROUP; v += L) {
                FloatVector.fromArray(SPECIES, a, src + p * cs, index, v).intoArray(ap, dst + p * MR + v);
            }
        }
        packScalar(a, src, rs, cs, MR, p, kc, ap, dst);
    }

    private static void packScalar(float[] a, int src, int rs, int cs, int rows, int from, int kc, float[] ap,
                                   int dst) {
        for (int p = from; p < kc; p++) {
            for (int r = 0; r < rows; r++) {
                ap[dst + p * MR + r] = a[src + r * rs + p * cs];
            }
        }
    }

    // Offsets in A of the elements a GROUP of p-steps packs, in packed order.
    private static int[] sliverIndex(int rowStride, int colStride) {
        int[] index = new int[MR * GROUP];
        for (int e = 0; e < index.length; e++) {
            index[e] = (e % MR) * rowStride + e / MR * colStride;
        }
        return index;
    }

    /**
     * bp[t·NR·kc + p·NR + j] = B[pc + p, jc + t·NR + j], zero for columns past nc. Row p starts at
     * {@link Gemm#bRowStart}: a stride apart, or wherever a row table puts it.
     */
    static void packB(Gemm g, int pc, int kc, int jc, int nc, float[] bp) {
        float[] b = g.b();
        int rs = g.bRowStride();
        int cs = g.bColStride();
        boolean columnMajor = cs != 1 && rs == 1 && g.bRows() == null;
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int dst = jr * kc;
            int column = (jc + jr) * cs;
            if (cols == NR && columnMajor) {
                PanelTranspose.pack(b, g.bRowStart(pc) + column, cs, kc, bp, dst);
                continue;
            }
            if (cols == NR && cs == 1) {
                for (int p = 0; p < kc; p++) {
                    int row = g.bRowStart(pc + p) + column;
                    FloatVector.fromArray(SPECIES, b, row).intoArray(bp, dst + p * NR);
                    FloatVector.fromArray(SPECIES, b, row + L).intoArray(bp, dst + p * NR + L);
                }
                continue;
            }
            if (cols < NR) {
                Arrays.fill(bp, dst, dst + NR * kc, 0f);
            }
            if (cs == 1 || Math.abs(cs) <= Math.abs(rs)) {
                for (int p = 0; p < kc; p++) {
                    int row = g.bRowStart(pc + p) + column;
                    for (int j = 0; j < cols; j++) {
                        bp[dst + p * NR + j] = b[row + j * cs];
                    }
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    for (int p = 0; p < kc; p++) {
                        bp[dst + p * NR + j] = b[g.bRowStart(pc + p) + column + j * cs];
                    }
                }
            }
        }
    }

    private static int gcd(int x, int y) {
        return y == 0 ? x : gcd(y, x % y);
    }
}
