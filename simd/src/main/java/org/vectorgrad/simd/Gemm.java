package org.vectorgrad.simd;

/**
 * One product C (+)= A·B as the kernels see it: A m×k and B k×n read through row and column
 * strides, C m×n with rows {@code cRowStride} apart and contiguous columns.
 *
 * <p>A non-null {@code bRows} puts B's row p at {@code bOffset + bRows[p]} instead of
 * {@code bOffset + p·bRowStride}: rows anywhere, even overlapping, so an implicit-GEMM
 * convolution reads shifted windows of a padded image where an im2col matrix would copy them.
 * Only {@code matmulPackedRows} and {@code matmulRows} build such products; the packing reads
 * every B row through {@link #bRowStart}. A non-null {@code aRows} likewise puts A's column p at
 * {@code aOffset + aRows[p]} (its rows {@code aRowStride} apart), for {@code matmulRows} only.
 */
record Gemm(int m, int n, int k,
            float[] a, int aOffset, int aRowStride, int aColStride,
            float[] b, int bOffset, int bRowStride, int bColStride,
            float[] c, int cOffset, int cRowStride, boolean accumulate, int[] bRows, int[] aRows) {

    Gemm {
        if (bRows != null && bRows.length < k) {
            throw new IllegalArgumentException("bRows has " + bRows.length + " row starts, but the product needs " + k);
        }
        if (aRows != null && aRows.length < k) {
            throw new IllegalArgumentException("aRows has " + aRows.length + " column starts, but the product needs "
                    + k);
        }
    }

    Gemm(int m, int n, int k, float[] a, int aOffset, int aRowStride, int aColStride,
         float[] b, int bOffset, int bRowStride, int bColStride,
         float[] c, int cOffset, int cRowStride, boolean accumulate, int[] bRows) {
        this(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, cRowStride,
                accumulate, bRows, null);
    }

    Gemm(int m, int n, int k, float[] a, int aOffset, int aRowStride, int aColStride,
         float[] b, int bOffset, int bRowStride, int bColStride,
         float[] c, int cOffset, int cRowStride, boolean accumulate) {
        this(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, cRowStride,
                accumulate, null);
    }

    /** The same product with every operand moved by the given number of elements (a batch entry). */
    Gemm shifted(long aShift, long bShift, long cShift) {
        return new Gemm(m, n, k, a, Math.toIntExact(aOffset + aShift), aRowStride, aColStride,
                b, Math.toIntExact(bOffset + bShift), bRowStride, bColStride,
                c, Math.toIntExact(cOffset + cShift), cRowStride, accumulate, bRows, aRows);
    }

    /** Where A's column p starts. */
    int aColStart(int p) {
        return aOffset + (aRows == null ? p * aColStride : aRows[p]);
    }

    /** Where B's row p starts. */
    int bRowStart(int p) {
        return bOffset + (bRows == null ? p * bRowStride : bRows[p]);
    }

    /** Multiply-adds of the whole product. */
    long work() {
        return (long) m * n * k;
    }
}
