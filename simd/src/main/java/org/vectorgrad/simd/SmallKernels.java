package org.vectorgrad.simd;

import jdk.incubator.vector.DoubleVector;

/**
 * Plain scalar loops for tensors of at most {@link #MAX} elements, taken by {@link VectorKernels}
 * before any row walk or vector code. A tiny tensor gains nothing from vectors, and keeping it off
 * the vector paths keeps their JIT profiles and compiled code about large tensors only: after a
 * phase of 1M-element work the Vector API loops, compiled for long rows, deoptimised on every
 * 2-element call for tens of thousands of iterations.
 *
 * <p>Every loop here gives the vector path's bits: the binary ops and the exact unary ops and copies
 * are exact in both, and {@link #sum} is taken only where the vector sum adds the elements in order
 * in double (one row of at most one double vector's lanes). Each method returns false, having
 * done nothing, when it does not apply.
 */
final class SmallKernels {
    /** The largest element count handled here. */
    static final int MAX = 16;
    // The vector sum's lanes are added in order in double; up to this many elements each lane
    // holds one element, so the sum is the sequential double sum.
    private static final int SUM_MAX = Math.min(MAX, DoubleVector.SPECIES_PREFERRED.length());

    private SmallKernels() {
    }

    /** {@link Kernels#zip} for a small shape. */
    static boolean zip(BinaryOp op, int[] shape, float[] a, int aOffset, int[] aStrides,
                       float[] b, int bOffset, int[] bStrides, float[] dst, int dstOffset) {
        int n = smallNumel(shape);
        if (n < 0) {
            return false;
        }
        int rank = shape.length;
        if (rank == 0) {
            dst[dstOffset] = op.apply(a[aOffset], b[bOffset]);
        } else if (rank == 1) {
            int as = aStrides[0];
            int bs = bStrides[0];
            for (int i = 0; i < n; i++) {
                dst[dstOffset + i] = op.apply(a[aOffset + i * as], b[bOffset + i * bs]);
            }
        } else {
            int[] index = new int[rank];
            for (int i = 0; i < n; i++) {
                dst[dstOffset + i] = op.apply(a[aOffset + offset(index, aStrides)], b[bOffset + offset(index, bStrides)]);
                increment(index, shape);
            }
        }
        return true;
    }

    /** {@link Kernels#map} for a small shape and an exact op (the others round differently in each path). */
    static boolean map(UnaryOp op, int[] shape, float[] src, int srcOffset, int[] srcStrides,
                       float[] dst, int dstOffset) {
        int n = smallNumel(shape);
        if (n < 0 || !op.isExact()) {
            return false;
        }
        if (shape.length <= 1) {
            int s = shape.length == 0 ? 0 : srcStrides[0];
            for (int i = 0; i < n; i++) {
                dst[dstOffset + i] = op.apply(src[srcOffset + i * s]);
            }
        } else {
            int[] index = new int[shape.length];
            for (int i = 0; i < n; i++) {
                dst[dstOffset + i] = op.apply(src[srcOffset + offset(index, srcStrides)]);
                increment(index, shape);
            }
        }
        return true;
    }

    /** {@link Kernels#copy} for a small shape (copying is exact). */
    static boolean copy(int[] shape, float[] src, int srcOffset, int[] srcStrides,
                        float[] dst, int dstOffset, int[] dstStrides) {
        int n = smallNumel(shape);
        if (n < 0) {
            return false;
        }
        if (shape.length <= 1) {
            int s = shape.length == 0 ? 0 : srcStrides[0];
            int d = shape.length == 0 ? 0 : dstStrides[0];
            for (int i = 0; i < n; i++) {
                dst[dstOffset + i * d] = src[srcOffset + i * s];
            }
        } else {
            int[] index = new int[shape.length];
            for (int i = 0; i < n; i++) {
                dst[dstOffset + offset(index, dstStrides)] = src[srcOffset + offset(index, srcStrides)];
                increment(index, shape);
            }
        }
        return true;
    }

    /** {@link Kernels#sum} of a whole tensor that is one row (at most one dimension longer than 1). */
    static boolean sum(int[] shape, float[] a, int aOffset, int[] aStrides, boolean[] reduce,
                       float[] dst, int dstOffset) {
        int n = smallNumel(shape);
        if (n < 0 || n > SUM_MAX) {
            return false;
        }
        int stride = 0;
        boolean oneLongDimension = false;
        for (int d = 0; d < shape.length; d++) {
            if (!reduce[d] && shape[d] != 1) {
                return false; // keeps a dimension: several results
            }
            if (shape[d] > 1) {
                if (oneLongDimension) {
                    return false; // a second long dimension: rows summed separately
                }
                oneLongDimension = true;
                stride = aStrides[d];
            }
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += a[aOffset + i * stride];
        }
        dst[dstOffset] = (float) total;
        return true;
    }

    // The element count, or -1 when above MAX (stops early: no overflow on huge shapes).
    private static int smallNumel(int[] shape) {
        int n = 1;
        for (int size : shape) {
            if (size > MAX) {
                return -1;
            }
            n *= size;
            if (n > MAX) {
                return -1;
            }
        }
        return n;
    }

    private static int offset(int[] index, int[] strides) {
        int o = 0;
        for (int d = 0; d < index.length; d++) {
            o += index[d] * strides[d];
        }
        return o;
    }

    private static void increment(int[] index, int[] shape) {
        for (int d = index.length - 1; d >= 0; d--) {
            if (++index[d] < shape[d]) {
                return;
            }
            index[d] = 0;
        }
    }
}
