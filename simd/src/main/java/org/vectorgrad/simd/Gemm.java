package org.vectorgrad.simd;

/**
 * One product C (+)= A·B as the kernels see it: A m×k and B k×n read through row and column
 * strides, C m×n with rows {@code cRowStride} apart and contiguous columns.
 */
record Gemm(int m, int n, int k,
            float[] a, int aOffset, int aRowStride, int aColStride,
            float[] b, int bOffset, int bRowStride, int bColStride,
            float[] c, int cOffset, int cRowStride, boolean accumulate) {

    /** The same product with every operand moved by the given number of elements (a batch entry). */
    Gemm shifted(long aShift, long bShift, long cShift) {
        return new Gemm(m, n, k, a, Math.toIntExact(aOffset + aShift), aRowStride, aColStride,
                b, Math.toIntExact(bOffset + bShift), bRowStride, bColStride,
                c, Math.toIntExact(cOffset + cShift), cRowStride, accumulate);
    }

    /** Multiply-adds of the whole product. */
    long work() {
        return (long) m * n * k;
    }
}
