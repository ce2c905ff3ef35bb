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
}
