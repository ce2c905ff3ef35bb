package org.vectorgrad.simd;

/**
 * An m×k left operand prepared once for many products with it ({@link Kernels#pack}): a
 * convolution multiplies the same weight by every image's columns, and packing the weight into
 * the micro-kernel's slivers for each image cost about as much as the arithmetic on small images.
 * The operand is read in place, so it must not change while this object is used.
 */
public final class PackedMatrix {
    final int m;
    final int k;
    final float[] a;
    final int aOffset;
    final int aRowStride;
    final int aColStride;
    /**
     * The operand's MR-row slivers over the full depth ({@code null} for the scalar kernels): all
     * of them, or when {@link #inPlace} only the partial last one.
     */
    final float[] slivers;
    /** Whether the GEMM reads A's whole slivers from its rows ({@link VectorMatmul#readsInPlace}). */
    final boolean inPlace;

    PackedMatrix(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride, float[] slivers) {
        this(m, k, a, aOffset, aRowStride, aColStride, slivers, false);
    }

    PackedMatrix(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride, float[] slivers,
                 boolean inPlace) {
        this.m = m;
        this.k = k;
        this.a = a;
        this.aOffset = aOffset;
        this.aRowStride = aRowStride;
        this.aColStride = aColStride;
        this.slivers = slivers;
        this.inPlace = inPlace;
    }

    /** Rows of the operand. */
    public int rows() {
        return m;
    }

    /** Columns of the operand (the products' depth). */
    public int depth() {
        return k;
    }
}
