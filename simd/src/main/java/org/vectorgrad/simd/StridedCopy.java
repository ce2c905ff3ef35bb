package org.vectorgrad.simd;

import java.util.Arrays;

/**
 * The copy kernel, shared by every implementation: copying is exact, and System.arraycopy and
 * Arrays.fill are already vectorised by the JIT, so there is nothing for the Vector API to add.
 */
final class StridedCopy {
    // Copying is memory-bound: several elements/ns for contiguous rows, near one for strided ones
    // (chunk sizes: see VectorKernels.MIN_CHUNK).
    static final int MIN_CHUNK = 1 << 17;

    /** Rows up to this long are copied by nested loops rather than one visitor call each. */
    private static final int SHORT_ROW = 32;

    private StridedCopy() {
    }

    /** dst[i] = src[i] over shape, both operands strided (see {@link Kernels#copy}). */
    static void copy(int[] shape, float[] src, int srcOffset, int[] srcStrides,
                     float[] dst, int dstOffset, int[] dstStrides) {
        // Merged first: a group of images' output gradient (4×128×8×8 into a 128×256 matrix) is
        // 512 rows of 64, not 4,096 rows of 8 through the nested loops.
        RowWalk walk = RowWalk.of(shape, srcStrides, dstStrides);
        int[] merged = walk.shape();
        int[] mergedSrc = walk.strides(0);
        int[] mergedDst = walk.strides(1);
        if (shortRows(merged, mergedSrc, mergedDst)) {
            copyPlanes(merged, src, srcOffset, mergedSrc, dst, dstOffset, mergedDst);
            return;
        }
        if (merged.length == 4 && merged[3] <= SHORT_ROW) {
            copyNested(merged, src, srcOffset, mergedSrc, dst, dstOffset, mergedDst);
            return;
        }
        int s = walk.innerStride(0);
        int d = walk.innerStride(1);
        RowVisitor rows = (o, n) -> {
            if (s == 1 && d == 1) {
                System.arraycopy(src, o[0], dst, o[1], n);
            } else if (s == 0 && d == 1) {
                Arrays.fill(dst, o[1], o[1] + n, src[o[0]]);
            } else {
                for (int i = 0; i < n; i++) {
                    dst[o[1] + i * d] = src[o[0] + i * s];
                }
            }
        };
        walk.forEachRowParallel(new int[] {srcOffset, dstOffset}, 1024, MIN_CHUNK, () -> rows);
    }

    // Up to three dimensions of contiguous rows, too few elements to split over threads: a
    // convolution's padding and cropping copies, whose 14-30 float rows cost more through the
    // walk's per-row visitor call than the copy itself.
    private static boolean shortRows(int[] shape, int[] srcStrides, int[] dstStrides) {
        int rank = shape.length;
        if (rank < 2 || rank > 3 || srcStrides[rank - 1] != 1 || dstStrides[rank - 1] != 1) {
            return false;
        }
        long numel = 1;
        for (int size : shape) {
            numel *= size;
        }
        return numel < MIN_CHUNK;
    }

    // A 4-D copy of short rows, such as NCHW into channels-last (image rows of 14-32 elements
    // written C apart): plain nested loops, split over the first two dimensions, at a fraction of
    // the per-row visitor calls' cost (1.3 ns an element through the walk).
    private static void copyNested(int[] shape, float[] src, int srcOffset, int[] srcStrides,
                                   float[] dst, int dstOffset, int[] dstStrides) {
        int outer = shape[0] * shape[1];
        if (outer == 0 || shape[2] == 0 || shape[3] == 0) {
            return;
        }
        int perOuter = shape[2] * shape[3];
        Parallel.forRange(outer, Math.max(1, MIN_CHUNK / perOuter), (from, to) -> {
            for (int o = from; o < to; o++) {
                int a = o / shape[1];
                int b = o % shape[1];
                int s0 = srcOffset + a * srcStrides[0] + b * srcStrides[1];
                int d0 = dstOffset + a * dstStrides[0] + b * dstStrides[1];
                for (int r = 0; r < shape[2]; r++) {
                    int s = s0 + r * srcStrides[2];
                    int d = d0 + r * dstStrides[2];
                    for (int i = 0; i < shape[3]; i++) {
                        dst[d + i * dstStrides[3]] = src[s + i * srcStrides[3]];
                    }
                }
            }
        });
    }

    private static void copyPlanes(int[] shape, float[] src, int srcOffset, int[] srcStrides,
                                   float[] dst, int dstOffset, int[] dstStrides) {
        int rank = shape.length;
        int planes = rank == 3 ? shape[0] : 1;
        int rows = shape[rank - 2];
        int length = shape[rank - 1];
        int srcPlane = rank == 3 ? srcStrides[0] : 0;
        int dstPlane = rank == 3 ? dstStrides[0] : 0;
        int srcRow = srcStrides[rank - 2];
        int dstRow = dstStrides[rank - 2];
        if (length == 0) {
            return; // arraycopy would still check the (meaningless) positions of empty rows
        }
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(src, srcOffset + p * srcPlane + r * srcRow, dst, dstOffset + p * dstPlane + r * dstRow,
                        length);
            }
        }
    }
}
