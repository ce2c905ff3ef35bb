package org.vectorgrad.simd;

import static org.vectorgrad.simd.GemmKernels.MR;
import static org.vectorgrad.simd.GemmKernels.NR;

import java.util.Arrays;

/**
 * Matrix products: picks the path for a shape and spreads the work over the kernel threads.
 * A product with one output row or column whose operands allow it reads them in place
 * ({@link VectorMatvec}); everything else goes through the packed, cache-blocked GEMM
 * ({@link PackedGemm}), which reads a row-major A in place when few columns reuse it
 * ({@link #readsAInPlace}). The parallel unit is a batch entry's block of MR-row slivers or NR-column
 * panels (whichever dimension is longer, so the operand every task packs again is the smaller
 * one); a task covers a contiguous run of units, at least {@link #TASK_WORK} multiply-adds, so
 * small products stay on the calling thread.
 *
 * <p>The path depends on the shape and strides only, and within a path an element's value does
 * not depend on which task or block computes it, so results are bit-identical for any number of
 * threads.
 */
final class VectorMatmul {
    /** Multiply-adds a task must have to be worth handing to another thread (about 20 µs). */
    static final long TASK_WORK = 1L << 21;
    /** At most this many columns of B (32 panels) reuse a row-major A read in place ({@link #readsInPlace}). */
    static final long IN_PLACE_COLUMNS = 1024;
    /**
     * Rows a multiple of this many floats (4 KB) apart fall into the same L1 sets, so twelve of them
     * read in place evict each other: a 1024x1024 product ran 5% slower than from packed slivers.
     */
    private static final int ALIASED_ROWS = 1024;
    /**
     * At most this many columns of a plain product reuse its A read in place. In-JVM A/B of single
     * products: 1.0-1.1x on 1 thread and 1.0-1.2x on 2 up to 256 columns (an MLP's 256-row
     * products gain most). From 320 columns packing won: 256- and 512-row A with 320-512 columns ran
     * 1.07-1.15x faster packed on 1 thread (A's rows 512 to 1536 floats apart; 512³ three times) and
     * 1.07-1.12x on 2; at 1000 columns in place had measured 0.95-0.97x on 1 thread.
     */
    static final int PLAIN_IN_PLACE_COLUMNS = 256;

    private static final int NONE = 0;
    private static final int ROW_DOTS = 1;
    private static final int COLUMN_DOTS = 2;
    private static final int ROW_SWEEP = 3;
    private static final int COLUMN_SWEEP = 4;
    private static final int INNER = 5;
    /** The shortest depth for which few outputs become blocked dot products (VectorInnerProducts). */
    private static final int INNER_DEPTH = 256;

    private VectorMatmul() {
    }

    static void matmul(int m, int n, int k, float[] a, int aOffset, int aRowStride, int aColStride,
                       float[] b, int bOffset, int bRowStride, int bColStride,
                       float[] c, int cOffset, int cRowStride, boolean accumulate) {
        run(1, new Gemm(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                c, cOffset, cRowStride, accumulate), 0, 0, 0);
    }

    static void matmulBatched(int batch, int m, int n, int k,
                              float[] a, int aOffset, int aBatchStride, int aRowStride, int aColStride,
                              float[] b, int bOffset, int bBatchStride, int bRowStride, int bColStride,
                              float[] c, int cOffset, int cBatchStride, int cRowStride, boolean accumulate) {
        run(batch, new Gemm(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                c, cOffset, cRowStride, accumulate), aBatchStride, bBatchStride, cBatchStride);
    }

    /**
     * Floats of an m×k operand's packed MR-row slivers (the last one padded with zeros): only the
     * partial last one when A is read in place ({@link #readsInPlace}).
     */
    static int packedLength(int m, int k, int aRowStride, int aColStride, long columns) {
        int packedRows = readsInPlace(aRowStride, aColStride, columns) ? (m % MR == 0 ? 0 : MR) : ceilDiv(m, MR) * MR;
        return Math.multiplyExact(packedRows, k);
    }

    /**
     * Whether the micro-kernel reads A's whole slivers where they lie, row by row: a row-major A
     * (a convolution's weight) that at most {@link #IN_PLACE_COLUMNS} columns reuse. Packing a
     * large weight was a third of a 512-channel ResNet layer's forward pass (64 columns), which
     * now runs 1.5-1.9x faster; with many columns the pack's cost fades while twelve row streams
     * read 8-12% slower than one packed sliver (128 channels on 64x64 images). The 5-row tile of
     * shorter vectors has no such kernel (AVX2 machines keep packing; not measured there).
     */
    static boolean readsInPlace(int aRowStride, int aColStride, long columns) {
        return GemmKernels.READS_ROWS && aColStride == 1 && aRowStride > 0 && aRowStride % ALIASED_ROWS != 0
                && columns <= IN_PLACE_COLUMNS;
    }

    /**
     * A prepared for {@link PackedGemm#blockPacked} in {@code slivers}: its MR-row slivers over the
     * full depth, or for an A read in place only its partial last sliver.
     */
    static PackedMatrix pack(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride, float[] slivers,
                             long columns) {
        int needed = packedLength(m, k, aRowStride, aColStride, columns);
        if (slivers.length < needed) {
            throw new IllegalArgumentException("pack: a " + m + "x" + k + " operand needs " + needed
                    + " floats, got a buffer of " + slivers.length);
        }
        boolean inPlace = readsInPlace(aRowStride, aColStride, columns);
        if (m > 0 && k > 0 && needed > 0) {
            Gemm g = new Gemm(m, 0, k, a, aOffset, aRowStride, aColStride, null, 0, 0, 0, null, 0, 0, false);
            int first = inPlace ? m / MR : 0;
            int count = ceilDiv(m, MR) - first;
            int minSlivers = (int) Math.max(1, Math.min(count, ceilDiv(TASK_WORK / 8, (long) MR * k)));
            Parallel.forRange(count, minSlivers, (from, to) -> {
                for (int s = from; s < to; s++) {
                    int row = (first + s) * MR;
                    GemmPacking.packA(g, row, Math.min(MR, m - row), 0, k, slivers, s * MR * k);
                }
            });
        }
        return new PackedMatrix(m, k, a, aOffset, aRowStride, aColStride, slivers, inPlace);
    }

    /** C (+)= A·B with a prepared A, split over slivers or panels like an unbatched product. */
    static void matmulPacked(PackedMatrix a, int n, float[] b, int bOffset, int bRowStride, int bColStride,
                             float[] c, int cOffset, int cRowStride, boolean accumulate) {
        runPacked(a, new Gemm(a.m, n, a.k, a.a, a.aOffset, a.aRowStride, a.aColStride, b, bOffset, bRowStride,
                bColStride, c, cOffset, cRowStride, accumulate));
    }

    /** {@link #matmulPacked} with B's row p starting at {@code b[bRows[p]]}, its columns contiguous. */
    static void matmulPackedRows(PackedMatrix a, int n, float[] b, int[] bRows, float[] c, int cOffset,
                                 int cRowStride, boolean accumulate) {
        runPacked(a, new Gemm(a.m, n, a.k, a.a, a.aOffset, a.aRowStride, a.aColStride, b, 0, 0, 1,
                c, cOffset, cRowStride, accumulate, bRows));
    }

    /**
     * C (+)= Σ_p A_s[:, p]⊗B[p, :] for every shift s, C_s the s-th block of m rows: the parallel
     * unit is one group's MR-row sliver, a task a contiguous run of them.
     */
    static void matmulRows(int m, int n, int k, float[] a, int[] aRows, int[] aShifts, float[] b, int[] bRows,
                           float[] c, int cOffset, int cRowStride, boolean accumulate) {
        // Checked as the whole (shifts·m)×n product, which a depth of 0 clears.
        if (trivial(new Gemm(aShifts.length * m, n, k, null, 0, 1, 0, null, 0, 0, 1, c, cOffset, cRowStride,
                accumulate))) {
            return;
        }
        Gemm g = new Gemm(m, n, k, a, 0, 1, 0, b, 0, 0, 1, c, cOffset, cRowStride, accumulate, bRows, aRows);
        int units = aShifts.length * ceilDiv(m, MR);
        // One contiguous run of units per thread: a task streams the whole depth (both operands) once,
        // so units claimed one by one would each read it again.
        long unitWork = (long) MR * n * k;
        int perThread = ceilDiv(units, Parallel.callerThreads());
        int minUnits = (int) Math.max(perThread, Math.min(units, ceilDiv(TASK_WORK, Math.max(1, unitWork))));
        Parallel.forRange(units, minUnits, (from, to) -> PackedGemm.blockRows(g, aShifts, from, to));
    }

    // An empty product, or one of depth 0 (C zeroed unless accumulating): nothing for the GEMM.
    private static boolean trivial(Gemm g) {
        if (g.m() == 0 || g.n() == 0) {
            return true;
        }
        if (g.k() == 0 && !g.accumulate()) {
            zero(g);
        }
        return g.k() == 0;
    }

    private static void runPacked(PackedMatrix a, Gemm g) {
        if (trivial(g)) {
            return;
        }
        boolean byColumns = splitColumns(g);
        int units = byColumns ? ceilDiv(g.n(), NR) : ceilDiv(g.m(), MR);
        Parallel.forRange(units, minUnits(g, units), (from, to) -> units(g, byColumns, from, to,
                (i0, i1, j0, j1) -> PackedGemm.blockPacked(g, a, i0, i1, j0, j1)));
    }

    private static void run(int batch, Gemm g, int aBatchStride, int bBatchStride, int cBatchStride) {
        if (batch == 0 || g.m() == 0 || g.n() == 0) {
            return;
        }
        if (g.k() == 0) {
            for (int e = 0; e < batch && !g.accumulate(); e++) {
                zero(g.shifted(0, 0, (long) e * cBatchStride));
            }
            return;
        }
        if (cBatchStride == 0 && batch > 1) {
            // Every entry updates the same C: one after another, in order, never concurrently.
            for (int e = 0; e < batch; e++) {
                run(1, g.shifted((long) e * aBatchStride, (long) e * bBatchStride, 0), 0, 0, 0);
            }
            return;
        }
        int vectorPath = vectorPath(g);
        if (batch == 1 && vectorPath != NONE) {
            vectorProduct(g, vectorPath);
            return;
        }
        if (batch == 1 && readsAInPlace(g)) {
            runPacked(packPartialSliver(g), g);
            return;
        }
        spread(batch, g, aBatchStride, bBatchStride, cBatchStride, vectorPath);
    }

    /**
     * Whether a plain product reads its A in place like a convolution's weight (see
     * {@link #readsInPlace}): a row-major A of at least one whole sliver, and at most
     * {@link #PLAIN_IN_PLACE_COLUMNS} columns. Packing A cost a Linear layer's 256-row product 5%
     * on 1 thread, and on 2 threads every column task packed all of A again.
     */
    private static boolean readsAInPlace(Gemm g) {
        return g.aRows() == null && g.bRows() == null && g.m() >= MR && g.n() <= PLAIN_IN_PLACE_COLUMNS
                && readsInPlace(g.aRowStride(), g.aColStride(), g.n());
    }

    // A read in place with only its partial last sliver packed, into the calling thread's workspace.
    private static PackedMatrix packPartialSliver(Gemm g) {
        float[] sliver = PackedGemm.partialSliver(packedLength(g.m(), g.k(), g.aRowStride(), g.aColStride(), g.n()));
        return pack(g.m(), g.k(), g.a(), g.aOffset(), g.aRowStride(), g.aColStride(), sliver, g.n());
    }

    // Every entry's units (a whole product on a vector path) as one range over the threads.
    private static void spread(int batch, Gemm g, int aBatchStride, int bBatchStride, int cBatchStride,
                               int vectorPath) {
        boolean byColumns = vectorPath == NONE && splitColumns(g);
        int units = vectorPath != NONE ? 1 : byColumns ? ceilDiv(g.n(), NR) : ceilDiv(g.m(), MR);
        Parallel.forRange(Math.multiplyExact(batch, units), minUnits(g, units), (from, to) -> {
            for (int t = from; t < to; ) {
                int entry = t / units;
                int end = Math.min(to, (entry + 1) * units);
                Gemm e = g.shifted((long) entry * aBatchStride, (long) entry * bBatchStride,
                        (long) entry * cBatchStride);
                if (vectorPath != NONE) {
                    vectorRange(e, vectorPath, 0, vectorCount(e, vectorPath));
                } else {
                    units(e, byColumns, t - entry * units, end - entry * units,
                            (i0, i1, j0, j1) -> PackedGemm.block(e, i0, i1, j0, j1));
                }
                t = end;
            }
        });
    }

    /** A block of C: rows [i0, i1), columns [j0, j1). */
    @FunctionalInterface
    private interface Block {
        void run(int i0, int i1, int j0, int j1);
    }

    // The unit range [from, to) of one product: NR-column panels or MR-row slivers.
    private static void units(Gemm g, boolean byColumns, int from, int to, Block block) {
        if (byColumns) {
            block.run(0, g.m(), from * NR, Math.min(to * NR, g.n()));
        } else {
            block.run(from * MR, Math.min(to * MR, g.m()), 0, g.n());
        }
    }

    // The fewest units a task takes: at least TASK_WORK multiply-adds, so small products stay inline.
    private static int minUnits(Gemm g, int units) {
        long unitWork = g.work() / units;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ceilDiv(TASK_WORK, Math.max(unitWork, 1))));
    }

    // Splitting the longer output dimension makes every task re-pack the smaller operand, and
    // gives more units to balance; a dimension with fewer units than threads would idle some.
    private static boolean splitColumns(Gemm g) {
        int panels = ceilDiv(g.n(), NR);
        int slivers = ceilDiv(g.m(), MR);
        if (g.n() >= g.m()) {
            return panels >= Math.min(slivers, Parallel.callerThreads());
        }
        return slivers < Parallel.callerThreads() && panels > slivers;
    }

    private static int vectorPath(Gemm g) {
        if (g.n() == 1 && g.aColStride() == 1) {
            return ROW_DOTS;
        } else if (g.m() == 1 && g.bRowStride() == 1) {
            return COLUMN_DOTS;
        } else if (g.m() == 1 && g.bColStride() == 1) {
            return ROW_SWEEP;
        } else if (g.n() == 1 && g.aRowStride() == 1) {
            return COLUMN_SWEEP;
        } else if (g.m() <= VectorInnerProducts.MAX_SIDE && g.n() <= VectorInnerProducts.MAX_SIDE
                && g.k() >= INNER_DEPTH && g.aColStride() == 1 && g.bRowStride() == 1 && g.bRows() == null
                && g.aRows() == null) {
            return INNER;
        }
        return NONE;
    }

    private static int vectorCount(Gemm g, int path) {
        return path == ROW_DOTS || path == COLUMN_SWEEP || path == INNER ? g.m() : g.n();
    }

    // One product on a vector path, split over its outputs (sweeps in whole register groups).
    private static void vectorProduct(Gemm g, int path) {
        int count = vectorCount(g, path);
        int group = path == ROW_SWEEP || path == COLUMN_SWEEP ? VectorMatvec.SWEEP
                : path == INNER ? VectorInnerProducts.ROWS : 1;
        int groups = ceilDiv(count, group);
        long groupWork = (long) group * g.k() * (path == INNER ? g.n() : 1);
        int minGroups = (int) Math.min(Integer.MAX_VALUE, ceilDiv(TASK_WORK, groupWork));
        Parallel.forRange(groups, minGroups,
                (from, to) -> vectorRange(g, path, from * group, Math.min(to * group, count)));
    }

    private static void vectorRange(Gemm g, int path, int from, int to) {
        switch (path) {
            case ROW_DOTS -> VectorMatvec.dots(from, to, g.k(), g.a(), g.aOffset(), g.aRowStride(), g.b(),
                    g.bOffset(), g.bRowStride(), g.c(), g.cOffset(), g.cRowStride(), g.accumulate());
            case COLUMN_DOTS -> VectorMatvec.dots(from, to, g.k(), g.b(), g.bOffset(), g.bColStride(), g.a(),
                    g.aOffset(), g.aColStride(), g.c(), g.cOffset(), 1, g.accumulate());
            case INNER -> VectorInnerProducts.products(from, to, g.n(), g.k(), g.a(), g.aOffset(), g.aRowStride(),
                    g.b(), g.bOffset(), g.bColStride(), g.c(), g.cOffset(), g.cRowStride(), g.accumulate());
            case ROW_SWEEP -> VectorMatvec.sweep(from, to, g.k(), g.a(), g.aOffset(), g.aColStride(), g.b(),
                    g.bOffset(), g.bRowStride(), g.c(), g.cOffset(), 1, g.accumulate());
            default -> VectorMatvec.sweep(from, to, g.k(), g.b(), g.bOffset(), g.bRowStride(), g.a(),
                    g.aOffset(), g.aColStride(), g.c(), g.cOffset(), g.cRowStride(), g.accumulate());
        }
    }

    private static void zero(Gemm g) {
        for (int i = 0; i < g.m(); i++) {
            int row = g.cOffset() + i * g.cRowStride();
            Arrays.fill(g.c(), row, row + g.n(), 0f);
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static long ceilDiv(long x, long y) {
        return (x + y - 1) / y;
    }
}
