package org.vectorgrad.simd;

import static org.vectorgrad.simd.GemmKernels.MR;
import static org.vectorgrad.simd.GemmKernels.NR;

/**
 * The cache-blocked GEMM (GotoBLAS/BLIS loop nest) over a block of C: for each NC-column block
 * and KC-deep slice, B's slice is packed into NR-column panels, then for each MC-row block A's
 * slice is packed into MR-row slivers, and the micro-kernel sweeps the panels (outer, so one
 * KC×NR panel stays in L1) and the slivers (inner, the MC×KC block streams from L2). Packing
 * ({@link GemmPacking}) reads the operands through any strides, so a transposed operand costs
 * no copy of its own, and pads partial slivers and panels with zeros, so the micro-kernel never
 * needs a tail.
 *
 * <p>The pack buffers are per thread and grow on demand; edge tiles go through a per-thread
 * MR×NR scratch tile. Block sizes only change the schedule, never a value (see
 * {@link GemmKernels}).
 */
final class PackedGemm {
    /** Depth of a packed slice: a KC×NR B panel (32 KB at 16 lanes) fits the 48 KB L1. */
    static final int KC = 256;
    /** Rows of a packed A block: MC×KC floats (about 200 KB) stay in L2. */
    static final int MC = MR * (192 / MR);
    /** Columns of a packed B block: KC×NC floats (1 MB at 16 lanes) stay in L2/L3. */
    static final int NC = NR * 32;

    /** At most this many A slivers read B's rows in place rather than from a packed panel. */
    static final int IN_PLACE_SLIVERS = 3;

    /** The largest partial sliver (floats) a thread's workspace keeps: a depth of 5,461. */
    private static final int KEPT_SLIVER = 1 << 16;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private PackedGemm() {
    }

    /** C[i0..i1, j0..j1) (+)= A[i0..i1, :]·B[:, j0..j1); needs k &gt; 0. */
    static void block(Gemm g, int i0, int i1, int j0, int j1) {
        Workspace w = WORKSPACE.get();
        int k = g.k();
        int kc = balanced(k, KC, 1);
        int mc = balanced(i1 - i0, MC, MR);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kc) {
                int depth = Math.min(kc, k - pc);
                boolean load = pc > 0 || g.accumulate();
                if (mc >= i1 - i0) {
                    oneRowBlock(g, w, i0, i1 - i0, jc, nc, pc, depth, load);
                    continue;
                }
                float[] bp = w.packedB(roundUp(nc, NR) * depth);
                GemmPacking.packB(g, pc, depth, jc, nc, bp);
                for (int ic = i0; ic < i1; ic += mc) {
                    int rows = Math.min(mc, i1 - ic);
                    float[] ap = w.packedA(roundUp(rows, MR) * depth);
                    GemmPacking.packA(g, ic, rows, pc, depth, ap);
                    sweep(g, ap, 0, MR * depth, 0, bp, null, 0, ic, rows, jc, nc, depth, load, w.tile);
                }
            }
        }
    }

    // All rows in one MC block: each B panel is used by one sweep only, so it is packed right
    // before it, into a buffer that stays in L1, instead of all panels first through L2.
    private static void oneRowBlock(Gemm g, Workspace w, int ic, int rows, int jc, int nc, int pc, int depth,
                                    boolean load) {
        float[] ap = w.packedA(roundUp(rows, MR) * depth);
        GemmPacking.packA(g, ic, rows, pc, depth, ap);
        float[] bp = w.packedB(NR * depth);
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            GemmPacking.packB(g, pc, depth, jc + jr, cols, bp);
            sweep(g, ap, 0, MR * depth, 0, bp, null, 0, ic, rows, jc + jr, cols, depth, load, w.tile);
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

    /**
     * C[i0..i1, j0..j1) (+)= A·B with A prepared by {@link VectorMatmul#pack}; i0 is a multiple of
     * MR. Each B panel is packed right before the sweeps that use it, unless the micro-kernel reads
     * B's rows in place ({@link #readsInPlace}).
     */
    static void blockPacked(Gemm g, PackedMatrix a, int i0, int i1, int j0, int j1) {
        Workspace w = WORKSPACE.get();
        int k = g.k();
        int kc = balanced(k, KC, 1);
        float[] bp = w.packedB(NR * kc);
        int[] starts = readsInPlace(g, i1 - i0) ? w.rowStarts(kc) : null;
        for (int pc = 0; pc < k; pc += kc) {
            int depth = Math.min(kc, k - pc);
            boolean load = pc > 0 || g.accumulate();
            for (int p = 0; starts != null && p < depth; p++) {
                starts[p] = g.bRowStart(pc + p);
            }
            for (int jr = j0; jr < j1; jr += NR) {
                int cols = Math.min(NR, j1 - jr);
                if (starts != null && cols == NR) {
                    sweepPacked(g, a, i0, i1, pc, g.b(), starts, jr, jr, cols, depth, load, w.tile);
                } else {
                    GemmPacking.packB(g, pc, depth, jr, cols, bp);
                    sweepPacked(g, a, i0, i1, pc, bp, null, 0, jr, cols, depth, load, w.tile);
                }
            }
        }
    }

    // Rows [i0, i1) of a prepared A against one B panel: whole slivers of an in-place A from its
    // rows, the rest from the packed slivers (an in-place A packs only its partial last one).
    private static void sweepPacked(Gemm g, PackedMatrix a, int i0, int i1, int pc, float[] b, int[] starts,
                                    int column, int jc, int cols, int depth, boolean load, float[] tile) {
        int packedFrom = a.inPlace ? Math.max(i0, Math.min(i1, a.m / MR * MR)) : i0;
        if (packedFrom > i0) {
            int rs = g.aRowStride();
            sweep(g, g.a(), g.aOffset() + i0 * rs + pc, MR * rs, rs, b, starts, column, i0, packedFrom - i0, jc,
                    cols, depth, load, tile);
        }
        if (i1 > packedFrom) {
            int first = a.inPlace ? 0 : packedFrom * g.k();
            sweep(g, a.slivers, first + pc * MR, MR * g.k(), 0, b, starts, column, packedFrom, i1 - packedFrom, jc,
                    cols, depth, load, tile);
        }
    }

    /**
     * Units [u0, u1) of {@link VectorMatmul#matmulRows}: unit u is sliver u mod s of group u / s
     * (s slivers a group), whose C rows start at group·m and whose A column p starts at
     * {@code g.aColStart(p) + shifts[group]}, A's rows contiguous. The micro-kernel reads whole
     * slivers (and four- and eight-row ones) and whole panels in place through per-depth-block
     * tables; only another partial sliver or panel is packed, so nothing is read past an
     * operand's rows. Every unit of a depth block reuses the block's B panel from L1.
     */
    static void blockRows(Gemm g, int[] shifts, int u0, int u1) {
        Workspace w = WORKSPACE.get();
        int m = g.m();
        int slivers = (m + MR - 1) / MR;
        int k = g.k();
        int kc = balanced(k, KC, 1);
        int[] aStarts = w.columnStarts(kc);
        int[] bStarts = w.rowStarts(kc);
        float[] bp = w.packedB(NR * kc);
        float[] ap = w.packedA(MR * kc);
        for (int pc = 0; pc < k; pc += kc) {
            int depth = Math.min(kc, k - pc);
            boolean load = pc > 0 || g.accumulate();
            for (int p = 0; p < depth; p++) {
                aStarts[p] = g.aColStart(pc + p);
                bStarts[p] = g.bRowStart(pc + p);
            }
            for (int jr = 0; jr < g.n(); jr += NR) {
                int cols = Math.min(NR, g.n() - jr);
                boolean inPlace = cols == NR;
                if (!inPlace) {
                    GemmPacking.packB(g, pc, depth, jr, cols, bp);
                }
                float[] b = inPlace ? g.b() : bp;
                int[] bRows = inPlace ? bStarts : null;
                int bo = inPlace ? jr : 0;
                for (int u = u0; u < u1; u++) {
                    int group = u / slivers;
                    int ir = u % slivers * MR;
                    int rows = Math.min(MR, m - ir);
                    int ao = shifts[group] + ir;
                    int co = g.cOffset() + (group * m + ir) * g.cRowStride() + jr;
                    // In place only where the kernel reads exactly `rows` rows: a four- or
                    // eight-row sliver against a partial panel runs the full tile on scratch.
                    if (rows == MR || (rows == 4 || rows == 8) && inPlace) {
                        edgeOrTile(depth, g.a(), aStarts, ao, 0, b, bRows, bo, g.c(), co, g.cRowStride(), rows,
                                cols, load, w.tile);
                    } else {
                        packColumns(g.a(), aStarts, ao, rows, depth, ap);
                        edgeOrTile(depth, ap, null, 0, 0, b, bRows, bo, g.c(), co, g.cRowStride(), rows, cols,
                                load, w.tile);
                    }
                }
            }
        }
    }

    private static void edgeOrTile(int kc, float[] ap, int[] aRows, int ao, int ars, float[] b, int[] starts,
                                   int bo, float[] c, int co, int crs, int rows, int cols, boolean load, float[] tile) {
        if (rows == MR && cols == NR) {
            GemmKernels.tile(kc, ap, aRows, ao, ars, b, starts, bo, c, co, crs, load);
        } else {
            edge(kc, ap, aRows, ao, ars, b, starts, bo, c, co, crs, rows, cols, load, tile);
        }
    }

    // ap[p·MR + r] = A[first + r, p] for r < rows (zero above), A's column p at a[starts[p]].
    private static void packColumns(float[] a, int[] starts, int first, int rows, int depth, float[] ap) {
        for (int p = 0; p < depth; p++) {
            int from = starts[p] + first;
            for (int r = 0; r < MR; r++) {
                ap[p * MR + r] = r < rows ? a[from + r] : 0f;
            }
        }
    }

    /**
     * Whether the micro-kernel should read B's rows where they lie instead of a packed panel:
     * contiguous columns and at most {@link #IN_PLACE_SLIVERS} slivers of A, too few to repay
     * copying the panel (a convolution's few output channels against its image windows).
     */
    private static boolean readsInPlace(Gemm g, int rows) {
        return g.bColStride() == 1 && rows <= IN_PLACE_SLIVERS * MR;
    }

    /**
     * Sliver r/MR of the A block starts at aBase + (r/MR)·aSliverStride: packed ({@code ars} 0) or
     * rows ars apart ({@link GemmKernels}). B is packed panels ({@code starts} null: panel t at
     * {@code b[t·NR·kc]}) or rows in place (row p's columns from {@code b[starts[p] + column]}).
     */
    private static void sweep(Gemm g, float[] ap, int aBase, int aSliverStride, int ars, float[] b, int[] starts,
                              int column, int ic, int mc, int jc, int nc, int kc, boolean load, float[] tile) {
        float[] c = g.c();
        int crs = g.cRowStride();
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int bo = starts == null ? jr * kc : column + jr;
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                int co = g.cOffset() + (ic + ir) * crs + jc + jr;
                int ao = aBase + ir / MR * aSliverStride;
                edgeOrTile(kc, ap, null, ao, ars, b, starts, bo, c, co, crs, rows, cols, load, tile);
            }
        }
    }

    // A partial tile runs the micro-kernel (the four-row one when it is enough) on the scratch
    // tile and copies back what is in C; full four- and eight-row tiles need no scratch. Only a
    // whole sliver (rows = MR) reads A's rows in place, so the four-row kernel needs no row stride.
    private static void edge(int kc, float[] ap, int[] aRows, int ao, int ars, float[] b, int[] starts, int bo,
                             float[] c, int co, int crs, int rows, int cols, boolean load, float[] tile) {
        if ((rows == 4 || rows == 8) && cols == NR) {
            // Eight rows (the last sliver of 32 or 128 output channels) as two four-row tiles: 16
            // FMAs a step where the full tile would compute 24 and copy through the scratch tile.
            GemmKernels.tile4(kc, ap, aRows, ao, b, starts, bo, c, co, crs, load);
            if (rows == 8) {
                GemmKernels.tile4(kc, ap, aRows, ao + 4, b, starts, bo, c, co + 4 * crs, crs, load);
            }
            return;
        }
        for (int r = 0; r < rows && load; r++) {
            System.arraycopy(c, co + r * crs, tile, r * NR, cols);
        }
        if (rows <= 4) {
            GemmKernels.tile4(kc, ap, aRows, ao, b, starts, bo, tile, 0, NR, load);
        } else {
            GemmKernels.tile(kc, ap, aRows, ao, ars, b, starts, bo, tile, 0, NR, load);
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(tile, r * NR, c, co + r * crs, cols);
        }
    }

    /**
     * A buffer of at least {@code size} floats for the calling thread's next product to pack A's
     * partial last sliver into ({@link VectorMatmul}'s in-place A), kept for later products up to
     * {@link #KEPT_SLIVER} floats. The product's tasks read it while the caller waits for them;
     * a kernel never nests a product.
     */
    static float[] partialSliver(int size) {
        return WORKSPACE.get().sliver(size);
    }

    /** One thread's pack buffers, kept between calls so a GEMM allocates nothing. */
    private static final class Workspace {
        private float[] a = new float[0];
        private float[] sliver = new float[0];
        private float[] b = new float[0];
        private int[] starts = new int[0];
        private int[] columnStarts = new int[0];
        private final float[] tile = new float[MR * NR];

        int[] rowStarts(int size) {
            if (starts.length < size) {
                starts = new int[size];
            }
            return starts;
        }

        int[] columnStarts(int size) {
            if (columnStarts.length < size) {
                columnStarts = new int[size];
            }
            return columnStarts;
        }

        float[] packedA(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] sliver(int size) {
            if (sliver.length >= size) {
                return sliver;
            }
            float[] grown = new float[size];
            if (size <= KEPT_SLIVER) {
                sliver = grown;
            }
            return grown;
        }

        float[] packedB(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }
    }
}
