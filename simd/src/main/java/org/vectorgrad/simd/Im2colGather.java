package org.vectorgrad.simd;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gather form of the convolution lowering, for the rows {@link VectorIm2col}'s runs handle
 * badly: short output rows (a 4×4 or 2×2 plane is a run of 4 or 2 per output row, each paying a
 * copy call and two fills), strided windows and strided sources (element-by-element runs). For
 * every tap (i, j) an index map says where output position l reads in a channel plane, and a mask
 * says whether that is inside the plane; a row of the column matrix is then whole-vector masked
 * gathers (padding lanes read nothing and come out zero).
 *
 * <p>Stride-1 windows whose output rows are as long as the input's ({@link #shifts}) need no
 * gather: a row is the plane shifted by a constant, read with masked contiguous loads (2–4x faster
 * than per-row copies on 8–32 wide planes).
 *
 * <p>col2im works from the input side with inverse maps (a masked scatter-add is not compiled
 * to vector code): every input element receives its contributions in the reference's tap order,
 * so both directions are bit-identical to {@link Im2col}.
 */
final class Im2colGather {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Output rows shorter than this go through gathers even with stride 1. */
    static final int SHORT_ROW = 16;
    private static final int CACHE_LIMIT = 64;
    private static final Map<Key, TapMaps> CACHE = new ConcurrentHashMap<>();

    private Im2colGather() {
    }

    private record Key(Window2d window, int rowStep, int colStep) {
    }

    /** Per tap: each output position's offset in the plane, and whether it is inside (padded to whole vectors). */
    private record TapMaps(int[][] index, boolean[][] inside) {
    }

    /** Whether rows of this window over columns {@code colStep} apart are better gathered than copied. */
    static boolean suits(Window2d w, int colStep) {
        return w.strideW() != 1 || colStep != 1 || w.outW() < SHORT_ROW;
    }

    /**
     * Whether a row of the column matrix is the source plane shifted by a constant: stride 1 and
     * output rows as long as the source's ({@code rowStep = outW}, contiguous columns), as in every
     * "same"-padded stride-1 convolution. Such a row is then masked contiguous vector loads, with
     * no index map at all: cheaper than gathers and than one copy call per output row.
     */
    static boolean shifts(Window2d w, int rowStep, int colStep) {
        return w.strideH() == 1 && w.strideW() == 1 && colStep == 1 && rowStep == w.outW();
    }

    /** im2col when {@link #shifts}: tap (i, j) reads plane[l + (i·dH − pH)·outW + j·dW − pW] where inside. */
    static void im2colShifted(Window2d w, int channels, float[] src, int srcOffset, int[] srcStrides,
                              float[] cols, int colsOffset, int colsRowStride) {
        TapMaps maps = maps(w, srcStrides[1], 1);
        int length = w.outPlane();
        int row = colsOffset;
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < w.taps(); t++) {
                shiftedRow(src, srcOffset + c * srcStrides[0] + shift(w, t), maps.inside()[t], cols, row, length);
                row += colsRowStride;
            }
        }
    }

    /** cols[row + l] = src[from + l] where inside[l], else 0, for l &lt; length. */
    static void shiftedRow(float[] src, int from, boolean[] inside, float[] cols, int row, int length) {
        for (int l = 0; l < length; l += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, src, from + l, VectorMask.fromArray(SPECIES, inside, l));
            if (l + L <= length) {
                v.intoArray(cols, row + l);
            } else {
                v.intoArray(cols, row + l, SPECIES.indexInRange(l, length));
            }
        }
    }

    /**
     * col2im when {@link #shifts} for a contiguous image, from the input side: a vector of input
     * positions q stays in a register while every tap adds cols[t][q − shift(t)] where that output
     * position reads q ({@link #sources}' masks), in tap order as the reference, then is stored
     * once. NOTE: adding tap by tap into dst instead (a masked load, add and masked store per tap
     * and vector) measured twice as slow: nine round trips through memory per vector, each masked
     * store first testing its mask for all-true.
     */
    static void col2imShifted(Window2d w, int channels, float[] cols, int colsOffset, int colsRowStride,
                              float[] dst, int dstOffset) {
        boolean[][] reads = sources(w).inside();
        int taps = w.taps();
        int[] from = new int[taps];
        for (int t = 0; t < taps; t++) {
            from[t] = t * colsRowStride - shift(w, t);
        }
        int plane = w.inPlane();
        int whole = SPECIES.loopBound(plane);
        // NOTE: the tap sums are written out twice rather than in a helper taking and returning
        // the accumulator: inside a ResNet step C2 found such a helper "already compiled into a
        // big method", would not inline it, and boxed the vector at every call (400 MB/s of
        // garbage and the Java fallback of every masked add).
        for (int c = 0; c < channels; c++) {
            int rows = colsOffset + c * taps * colsRowStride;
            int to = dstOffset + c * plane;
            int q = 0;
            for (; q < whole; q += L) {
                FloatVector acc = FloatVector.fromArray(SPECIES, dst, to + q);
                for (int t = 0; t < taps; t++) {
                    VectorMask<Float> hit = VectorMask.fromArray(SPECIES, reads[t], q);
                    acc = acc.add(FloatVector.fromArray(SPECIES, cols, rows + from[t] + q, hit), hit);
                }
                acc.intoArray(dst, to + q);
            }
            if (q < plane) {
                // The tail takes masked loads and stores: a masked store tests its mask first, so
                // whole vectors above stay unmasked.
                VectorMask<Float> part = SPECIES.indexInRange(q, plane);
                FloatVector acc = FloatVector.fromArray(SPECIES, dst, to + q, part);
                for (int t = 0; t < taps; t++) {
                    VectorMask<Float> hit = VectorMask.fromArray(SPECIES, reads[t], q);
                    acc = acc.add(FloatVector.fromArray(SPECIES, cols, rows + from[t] + q, hit), hit);
                }
                acc.intoArray(dst, to + q, part);
            }
        }
    }

    // The plane offset that output position l of tap t reads, minus l (rows are outW = inW long).
    private static int shift(Window2d w, int t) {
        int i = t / w.kernelW();
        int j = t % w.kernelW();
        return (i * w.dilationH() - w.padH()) * w.outW() + j * w.dilationW() - w.padW();
    }

    static void im2col(Window2d w, int channels, float[] src, int srcOffset, int[] srcStrides,
                       float[] cols, int colsOffset, int colsRowStride) {
        TapMaps maps = maps(w, srcStrides[1], srcStrides[2]);
        int length = w.outPlane();
        int row = colsOffset;
        for (int c = 0; c < channels; c++) {
            int plane = srcOffset + c * srcStrides[0];
            for (int t = 0; t < w.taps(); t++) {
                gatherRow(src, plane, maps.index()[t], maps.inside()[t], cols, row, length);
                row += colsRowStride;
            }
        }
    }

    // Padding lanes gather the plane's first element (always valid) and are blended to zero: a
    // masked gather checks every lane's index in Java and costs several times more.
    private static void gatherRow(float[] src, int plane, int[] index, boolean[] inside, float[] cols, int row,
                                  int length) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int l = 0;
        for (; l + L <= length; l += L) {
            VectorMask<Float> in = VectorMask.fromArray(SPECIES, inside, l);
            zero.blend(FloatVector.fromArray(SPECIES, src, plane, index, l), in).intoArray(cols, row + l);
        }
        if (l < length) {
            VectorMask<Float> in = VectorMask.fromArray(SPECIES, inside, l);
            zero.blend(FloatVector.fromArray(SPECIES, src, plane, index, l), in)
                    .intoArray(cols, row + l, SPECIES.indexInRange(l, length));
        }
    }

    /**
     * dst is a contiguous C×inH×inW image. Each vector of input positions gathers, tap by tap, the
     * one output position (if any) that tap reads it from, so every element receives its
     * contributions in the reference's tap order and no lanes ever collide.
     */
    static void col2im(Window2d w, int channels, float[] cols, int colsOffset, int colsRowStride,
                       float[] dst, int dstOffset) {
        TapMaps sources = sources(w);
        int plane = w.inPlane();
        for (int c = 0; c < channels; c++) {
            int rows = colsOffset + c * w.taps() * colsRowStride;
            int to = dstOffset + c * plane;
            for (int q = 0; q < plane; q += L) {
                VectorMask<Float> part = SPECIES.indexInRange(q, plane);
                FloatVector acc = FloatVector.fromArray(SPECIES, dst, to + q, part);
                for (int t = 0; t < w.taps(); t++) {
                    VectorMask<Float> hit = VectorMask.fromArray(SPECIES, sources.inside()[t], q);
                    acc = acc.add(FloatVector.fromArray(SPECIES, cols, rows + t * colsRowStride, sources.index()[t], q),
                            hit);
                }
                acc.intoArray(dst, to + q, part);
            }
        }
    }

    /** Per tap, whether each output position reads inside the plane (padded to whole vectors). */
    static boolean[][] insideMasks(Window2d w, int rowStep) {
        return maps(w, rowStep, 1).inside();
    }

    // Maps depend only on the window and the source's row and column steps, and a network has few
    // of those: they are built once and shared (immutable; a rare rebuild after a clear is harmless).
    private static TapMaps maps(Window2d w, int rowStep, int colStep) {
        Key key = new Key(w, rowStep, colStep);
        TapMaps maps = CACHE.get(key);
        if (maps == null) {
            if (CACHE.size() >= CACHE_LIMIT) {
                CACHE.clear();
            }
            maps = build(w, rowStep, colStep);
            CACHE.put(key, maps);
        }
        return maps;
    }

    // The inverse maps, per tap: which output position reads input position q (padded to whole vectors).
    private static TapMaps sources(Window2d w) {
        Key key = new Key(w, -1, -1);
        TapMaps maps = CACHE.get(key);
        if (maps == null) {
            if (CACHE.size() >= CACHE_LIMIT) {
                CACHE.clear();
            }
            TapMaps forward = build(w, w.inW(), 1);
            int padded = (w.inPlane() + L - 1) / L * L;
            int[][] index = new int[w.taps()][padded];
            boolean[][] inside = new boolean[w.taps()][padded];
            for (int t = 0; t < w.taps(); t++) {
                for (int l = 0; l < w.outPlane(); l++) {
                    if (forward.inside()[t][l]) {
                        index[t][forward.index()[t][l]] = l;
                        inside[t][forward.index()[t][l]] = true;
                    }
                }
            }
            maps = new TapMaps(index, inside);
            CACHE.put(key, maps);
        }
        return maps;
    }

    private static TapMaps build(Window2d w, int rowStep, int colStep) {
        int length = w.outPlane();
        int padded = (length + L - 1) / L * L;
        int[][] index = new int[w.taps()][padded];
        boolean[][] inside = new boolean[w.taps()][padded];
        for (int i = 0; i < w.kernelH(); i++) {
            for (int j = 0; j < w.kernelW(); j++) {
                int t = i * w.kernelW() + j;
                for (int l = 0; l < length; l++) {
                    int h = l / w.outW() * w.strideH() - w.padH() + i * w.dilationH();
                    int x = l % w.outW() * w.strideW() - w.padW() + j * w.dilationW();
                    if (h >= 0 && h < w.inH() && x >= 0 && x < w.inW()) {
                        index[t][l] = h * rowStep + x * colStep;
                        inside[t][l] = true;
                    }
                }
            }
        }
        return new TapMaps(index, inside);
    }
}
