package org.vectorgrad.simd;

import static org.vectorgrad.simd.GemmKernels.MR;
import static org.vectorgrad.simd.GemmKernels.NR;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies operand slices into the micro-kernel's layouts (see {@link GemmKernels}): A into
 * MR-row slivers, B into NR-column panels, both p-major and zero-padded. A slice whose elements
 * are contiguous in the packed order is copied by vectors; one that must be transposed on the
 * way (row-major A, column-major B: the usual A and the Bᵀ of a backward pass or of a linear
 * layer) is read with vector gathers, several times faster than an element-by-element loop.
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
        float[] a = g.a();
        int rs = g.aRowStride();
        int cs = g.aColStride();
        int[] index = sliverIndex(rs, cs);
        for (int s = 0; s * MR < mc; s++) {
            int rows = Math.min(MR, mc - s * MR);
            int dst = apOffset + s * MR * kc;
            int src = g.aOffset() + (ic + s * MR) * rs + pc * cs;
            int p = 0;
            if (rows < MR) {
                Arrays.fill(ap, dst, dst + MR * kc, 0f);
            } else {
                for (; p + GROUP <= kc; p += GROUP) {
                    for (int v = 0; v < MR * GROUP; v += L) {
                        FloatVector.fromArray(SPECIES, a, src + p * cs, index, v).intoArray(ap, dst + p * MR + v);
                    }
                }
            }
            for (; p < kc; p++) {
                for (int r = 0; r < rows; r++) {
                    ap[dst + p * MR + r] = a[src + r * rs + p * cs];
                }
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

    /** bp[t·NR·kc + p·NR + j] = B[pc + p, jc + t·NR + j], zero for columns past nc. */
    static void packB(Gemm g, int pc, int kc, int jc, int nc, float[] bp) {
        float[] b = g.b();
        int rs = g.bRowStride();
        int cs = g.bColStride();
        int[] index = cs != 1 && rs == 1 ? panelIndex(cs) : null;
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int dst = jr * kc;
            int src = g.bOffset() + pc * rs + (jc + jr) * cs;
            if (cols == NR && (cs == 1 || index != null)) {
                for (int p = 0; p < kc; p++) {
                    vectorRow(b, src + p * rs, index, bp, dst + p * NR);
                }
                continue;
            }
            if (cols < NR) {
                Arrays.fill(bp, dst, dst + NR * kc, 0f);
            }
            if (Math.abs(cs) <= Math.abs(rs)) {
                for (int p = 0; p < kc; p++) {
                    for (int j = 0; j < cols; j++) {
                        bp[dst + p * NR + j] = b[src + p * rs + j * cs];
                    }
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    for (int p = 0; p < kc; p++) {
                        bp[dst + p * NR + j] = b[src + p * rs + j * cs];
                    }
                }
            }
        }
    }

    // One NR-wide panel row: a copy when B's row is contiguous, else a gather through index.
    private static void vectorRow(float[] b, int src, int[] index, float[] bp, int dst) {
        if (index == null) {
            FloatVector.fromArray(SPECIES, b, src).intoArray(bp, dst);
            FloatVector.fromArray(SPECIES, b, src + L).intoArray(bp, dst + L);
        } else {
            FloatVector.fromArray(SPECIES, b, src, index, 0).intoArray(bp, dst);
            FloatVector.fromArray(SPECIES, b, src, index, L).intoArray(bp, dst + L);
        }
    }

    private static int[] panelIndex(int colStride) {
        int[] index = new int[NR];
        for (int j = 0; j < NR; j++) {
            index[j] = j * colStride;
        }
        return index;
    }

    private static int gcd(int x, int y) {
        return y == 0 ? x : gcd(y, x % y);
    }
}
