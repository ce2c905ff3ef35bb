package org.vectorgrad.simd;

/**
 * The float32 compute kernels. Operands are flat {@code float[]} arrays read through an offset
 * and one stride per dimension of {@code shape} (stride 0 repeats an element: broadcasting);
 * destinations are written contiguously in row-major order from {@code dstOffset} (except
 * {@link #copy}, whose destination is strided too). A destination
 * may alias an input only when that input is contiguous with the destination's own layout.
 * Every shape may contain zeros (nothing is read or written) and may be empty (one element).
 *
 * <p>Implementations: {@link ScalarKernels} (the plain-loop reference and fallback) and
 * {@code VectorKernels} (Vector API), chosen by {@link KernelProvider}.
 */
public interface Kernels {

    /** A short name for logs and benchmarks, e.g. {@code "vector-256"} or {@code "scalar"}. */
    String name();

    /** dst[i] = op(src[i]) for every index i of shape. */
    void map(UnaryOp op, int[] shape, float[] src, int srcOffset, int[] srcStrides,
             float[] dst, int dstOffset);

    /** dst[i] = op(a[i], b[i]) for every index i of shape (broadcast operands have stride 0). */
    void zip(BinaryOp op, int[] shape, float[] a, int aOffset, int[] aStrides,
             float[] b, int bOffset, int[] bStrides, float[] dst, int dstOffset);

    /** dst[i] = cond[i] != 0 ? a[i] : b[i] for every index i of shape. */
    void where(int[] shape, float[] cond, int condOffset, int[] condStrides,
               float[] a, int aOffset, int[] aStrides, float[] b, int bOffset, int[] bStrides,
               float[] dst, int dstOffset);

    /**
     * dst[i] = src[i] with both operands strided: gathers a view into contiguous storage or
     * scatters into a view (destination strides must not make distinct indices overlap).
     */
    void copy(int[] shape, float[] src, int srcOffset, int[] srcStrides,
              float[] dst, int dstOffset, int[] dstStrides);

    /**
     * dst[j] = Σ a[i] over the dimensions with {@code reduce[d]}, where j is i with those
     * dimensions dropped; dst (row-major over the kept dimensions) is overwritten. An empty
     * reduction yields 0. The bits of the result do not depend on {@link Parallel#threads()}.
     */
    void sum(int[] shape, float[] a, int aOffset, int[] aStrides, boolean[] reduce,
             float[] dst, int dstOffset);

    /** Returns Σ a[i]² over every index i of shape (0 when empty), whatever the thread count, bit for bit. */
    float sumOfSquares(int[] shape, float[] a, int aOffset, int[] aStrides);

    /**
     * values[j] = max a[i] along dimension {@code dim} (NaN wins, as in PyTorch), indices[j] =
     * the position along {@code dim} of the first maximum (as a float); j is i with {@code dim}
     * dropped, row-major. {@code indices} may be null. {@code shape[dim]} must be positive.
     */
    void max(int[] shape, float[] a, int aOffset, int[] aStrides, int dim,
             float[] values, int valuesOffset, float[] indices, int indicesOffset);

    /**
     * dst = softmax of a along {@code dim}: exp(a[i] - m) / Σ exp(a[k] - m) with m the maximum
     * along the dimension; when {@code log}, dst = a[i] - m - ln Σ exp(a[k] - m).
     */
    void softmax(int[] shape, float[] a, int aOffset, int[] aStrides, int dim, boolean log,
                 float[] dst, int dstOffset);

    /**
     * C = A·B (C += A·B when {@code accumulate}) for A m×k and B k×n read through row and column
     * strides (so transposed operands need no copy), and C m×n with rows {@code cRowStride} apart
     * and contiguous columns.
     */
    void matmul(int m, int n, int k,
                float[] a, int aOffset, int aRowStride, int aColStride,
                float[] b, int bOffset, int bRowStride, int bColStride,
                float[] c, int cOffset, int cRowStride, boolean accumulate);
}
