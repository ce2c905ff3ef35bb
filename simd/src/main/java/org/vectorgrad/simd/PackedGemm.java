package org.vectorgrad.simd;

import static org.vectorgrad.simd.GemmKernels.MR;
import static org.vectorgrad.simd.GemmKernels.NR;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The cache-blocked GEMM (GotoBLAS/BLIS loop nest) over a block of C: for each NC-column block
 * and KC-deep slice, B's slice is packed into NR-column panels, then for each MC-row block A's
 * slice is packed into MR-row slivers, and the micro-kernel sweeps the panels (outer, so one
 * KC×NR panel stays in L1) and the slivers (inner, the MC×KC block streams from L2). Packing
 * reads the operands through any strides, so a transposed operand costs nothing extra, and
 * pads partial slivers and panels with zeros, so the micro-kernel never needs a tail.
 *
 * <p>The pack buffers are per thread and grow on demand; edge tiles go through a per-thread
 * MR×NR scratch tile. Block sizes only change the schedule, never a value (see
 * {@link GemmKernels}).
 */
final class PackedGemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Depth of a packed slice: a KC×NR B panel (32 KB at 16 lanes) fits the 48 KB L1. */
    static final int KC = 256;
    /** Rows of a packed A block: MC×KC floats (about 200 KB) stay in L2. */
    static final int MC = MR * (192 / MR);
    /** Columns of a packed B block: KC×NC floats (1 MB at 16 lanes) stay in L2/L3. */
    static final int NC = NR * 32;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private PackedGemm() {
    }

    /** C[i0..i1, j0..j1) (+)= A[i0..i1, :]·B[:, j0..j1); needs k &gt; 0. */
    static void block(Gemm g, int i0, int i1, int j0, int j1) {
        Workspace w = WORKSPACE.get();
        int k = g.k();
        int kc = balanced(k, KC, 1);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kc) {
                int depth = Math.min(kc, k - pc);
                float[] bp = w.packedB(roundUp(nc, NR) * depth);
                packB(g, pc, depth, jc, nc, bp);
                int mc = balanced(i1 - i0, MC, MR);
                for (int ic = i0; ic < i1; ic += mc) {
                    int rows = Math.min(mc, i1 - ic);
                    float[] ap = w.packedA(roundUp(rows, MR) * depth);
                    packA(g, ic, rows, pc, depth, ap);
                    sweep(g, ap, bp, ic, rows, jc, nc, depth, pc > 0 || g.accumulate(), w.tile);
                }
            }
        }
    }

    // The block size near `limit` (a multiple of `unit`) that splits `n` into equal blocks, so no
    // thin last block pays the micro-kernel's load and store of C for little work.
    private static int balanced(int n, int limit, int unit) {
        int blocks = (n + limit - 1) / limit;
        return roundUp((n + blocks - 1) / blocks, unit);
    }

    private static int roundUp(int n, int unit) {
        return (n + unit - 1) / unit * unit;
    }

    private static void sweep(Gemm g, float[] ap, float[] bp, int ic, int mc, int jc, int nc, int kc,
                              boolean load, float[] tile) {
        float[] c = g.c();
        int crs = g.cRowStride();
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                int co = g.cOffset() + (ic + ir) * crs + jc + jr;
                if (rows == MR && cols == NR) {
                    GemmKernels.tile(kc, ap, ir * kc, bp, jr * kc, c, co, crs, load);
                } else {
                    edge(kc, ap, ir * kc, bp, jr * kc, c, co, crs, rows, cols, load, tile);
                }
            }
        }
    }

    // A partial tile runs the full micro-kernel on the scratch tile and copies back what is in C.
    private static void edge(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int crs,
                             int rows, int cols, boolean load, float[] tile) {
        for (int r = 0; r < rows && load; r++) {
            System.arraycopy(c, co + r * crs, tile, r * NR, cols);
        }
        GemmKernels.tile(kc, ap, ao, bp, bo, tile, 0, NR, load);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(tile, r * NR, c, co + r * crs, cols);
        }
    }

    // ap[s·MR·kc + p·MR + r] = A[ic + s·MR + r, pc + p], zero for rows past mc.
    private static void packA(Gemm g, int ic, int mc, int pc, int kc, float[] ap) {
        float[] a = g.a();
        int rs = g.aRowStride();
        int cs = g.aColStride();
        for (int s = 0; s * MR < mc; s++) {
            int rows = Math.min(MR, mc - s * MR);
            int dst = s * MR * kc;
            int src = g.aOffset() + (ic + s * MR) * rs + pc * cs;
            if (rows < MR) {
                Arrays.fill(ap, dst, dst + MR * kc, 0f);
            }
            if (cs == 1) {
                for (int r = 0; r < rows; r++) {
                    for (int p = 0; p < kc; p++) {
                        ap[dst + p * MR + r] = a[src + r * rs + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    for (int r = 0; r < rows; r++) {
                        ap[dst + p * MR + r] = a[src + r * rs + p * cs];
                    }
                }
            }
        }
    }

    // bp[t·NR·kc + p·NR + j] = B[pc + p, jc + t·NR + j], zero for columns past nc.
    private static void packB(Gemm g, int pc, int kc, int jc, int nc, float[] bp) {
        float[] b = g.b();
        int rs = g.bRowStride();
        int cs = g.bColStride();
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int dst = jr * kc;
            int src = g.bOffset() + pc * rs + (jc + jr) * cs;
            if (cs == 1 && cols == NR) {
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(SPECIES, b, src + p * rs).intoArray(bp, dst + p * NR);
                    FloatVector.fromArray(SPECIES, b, src + p * rs + L).intoArray(bp, dst + p * NR + L);
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

    /** One thread's pack buffers, kept between calls so a GEMM allocates nothing. */
    private static final class Workspace {
        private float[] a = new float[0];
        private float[] b = new float[0];
        private final float[] tile = new float[MR * NR];

        float[] packedA(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] packedB(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }
    }
}
