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

    private StridedCopy() {
    }

    /** dst[i] = src[i] over shape, both operands strided (see {@link Kernels#copy}). */
    static void copy(int[] shape, float[] src, int srcOffset, int[] srcStrides,
                     float[] dst, int dstOffset, int[] dstStrides) {
        if (shortRows(shape, srcStrides, dstStrides)) {
            copyPlanes(shape, src, srcOffset, srcStrides, dst, dstOffset, dstStrides);
            return;
        }
        RowWalk walk = RowWalk.of(shape, srcStrides, dstStrides);
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
