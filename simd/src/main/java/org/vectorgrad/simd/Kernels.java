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

    /**
     * The m×k operand A (read through row and column strides) prepared for {@link #matmulPacked};
     * A is read in place and must not change while the result is used.
     */
    PackedMatrix pack(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride);

    /**
     * Floats {@link #pack(int, int, float[], int, int, int, long, float[])} needs for this m×k
     * operand, to be multiplied by {@code columns} columns of B in all (0: none). A row-major
     * operand (column stride 1) that few columns reuse is read in place but for its partial last
     * sliver: packing it would cost more than the product saves.
     */
    int packedLength(int m, int k, int aRowStride, int aColStride, long columns);

    /**
     * {@link #pack} into {@code into}, at least {@link #packedLength} floats (for the same
     * {@code columns}), which must not be written while the result is used: a convolution packs
     * its weight at every step, and a reused buffer is in cache where a fresh one costs a cold,
     * zeroed allocation (4-5% of a ResNet-18 step). {@code columns} only picks the layout: any
     * product with the result is right, with the same values.
     */
    PackedMatrix pack(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride, long columns,
                      float[] into);

    /**
     * {@link #matmul} with a prepared A: C = A·B (C += A·B when {@code accumulate}) for B k×n, with
     * the same values as {@link #matmul} on A's elements.
     */
    void matmulPacked(PackedMatrix a, int n, float[] b, int bOffset, int bRowStride, int bColStride,
                      float[] c, int cOffset, int cRowStride, boolean accumulate);

    /**
     * {@link #matmulPacked} with B's rows anywhere in {@code b}: B[p, j] = b[bRows[p] + j] for the
     * first k = {@code a.depth()} entries of bRows (rows may overlap). An implicit-GEMM
     * convolution passes the shifted windows of a padded image as B's rows instead of copying
     * them into an im2col matrix.
     */
    void matmulPackedRows(PackedMatrix a, int n, float[] b, int[] bRows, float[] c, int cOffset, int cRowStride,
                          boolean accumulate);

    /**
     * For each shift s: C_s = Σ_p A_s[:, p]⊗B[p, :] (C_s += … when {@code accumulate}), where C_s
     * is rows [s·m, s·m + m) of C and both operands' depth entries lie anywhere:
     * C[s·m + i, j] = Σ_{p &lt; k} a[aRows[p] + aShifts[s] + i]·b[bRows[p] + j] for i &lt; m, j &lt; n,
     * summed over p in order like {@link #matmul}. A convolution's weight gradient over
     * channels-last images is one such call: aRows the input positions, one shift per kernel tap,
     * bRows the output-gradient positions, so no im2col matrix is built and both are read in place.
     */
    void matmulRows(int m, int n, int k, float[] a, int[] aRows, int[] aShifts, float[] b, int[] bRows,
                    float[] c, int cOffset, int cRowStride, boolean accumulate);

    // ---- neural-network kernels: convolution lowering, pooling, per-channel normalisation ----

    /**
     * cols[(c·kH + i)·kW + j][oh·outW + ow] = src[c, oh·sH − pH + i·dH, ow·sW − pW + j·dW] (0 where
     * that is padding) for one C×inH×inW image read through {@code srcStrides} (channel, row,
     * column); cols is a (C·kH·kW)×(outH·outW) matrix with rows {@code colsRowStride} apart
     * (≥ outH·outW: several images' columns can sit side by side).
     */
    void im2col(Window2d window, int channels, float[] src, int srcOffset, int[] srcStrides,
                float[] cols, int colsOffset, int colsRowStride);

    /**
     * dst[c, h, w] += every cols entry that {@link #im2col} would copy from (c, h, w), cols laid
     * out as there; dst is a contiguous C×inH×inW image.
     */
    void col2im(Window2d window, int channels, float[] cols, int colsOffset, int colsRowStride,
                float[] dst, int dstOffset);

    /**
     * dst[p, oh, ow] = max of the window over plane p of src (read as src[p·s0 + h·s1 + w·s2]),
     * argmax = its flat position h·inW + w (first maximum; NaN wins, a later NaN over an earlier);
     * dst and argmax are contiguous planes × outH × outW. Every window must reach into the plane
     * (PyTorch's padding ≤ kernel/2 guarantees it).
     */
    void maxPool2d(Window2d window, int planes, float[] src, int srcOffset, int[] srcStrides,
                   float[] dst, int dstOffset, int[] argmax, int argmaxOffset);

    /**
     * Each plane of dst is zeroed, then dst[p, argmax[p, o]] += grad[p, o] in output order: dst is
     * contiguous planes × inH × inW and overwritten (each plane is zeroed right before its scatter,
     * while it is in cache, by the thread that scatters into it).
     */
    void maxPool2dBackward(Window2d window, int planes, float[] grad, int gradOffset, int[] argmax, int argmaxOffset,
                           float[] dst, int dstOffset);

    /** dst[p, oh, ow] = (float sum of the window's in-bounds elements) / (kH·kW): count_include_pad. */
    void avgPool2d(Window2d window, int planes, float[] src, int srcOffset, int[] srcStrides,
                   float[] dst, int dstOffset);

    /** dst[p, h, w] += grad[p, oh, ow] / (kH·kW) for every window covering (h, w), in output order. */
    void avgPool2dBackward(Window2d window, int planes, float[] grad, int gradOffset, float[] dst, int dstOffset);

    /**
     * dst[p, oh, ow] = (sum over rows [⌊oh·inH/outH⌋, ⌈(oh+1)·inH/outH⌉) and the same for columns)
     * / window height / window width.
     */
    void adaptiveAvgPool2d(int planes, int inH, int inW, int outH, int outW, float[] src, int srcOffset,
                           int[] srcStrides, float[] dst, int dstOffset);

    /** dst[p, h, w] += grad[p, oh, ow] / window height / window width for every adaptive window covering (h, w). */
    void adaptiveAvgPool2dBackward(int planes, int inH, int inW, int outH, int outW, float[] grad, int gradOffset,
                                   float[] dst, int dstOffset);

    /**
     * mean[c] = Σ x[n, c, k] / (outer·inner) and variance[c] = Σ (x[n, c, k] − mean[c])² / (outer·inner)
     * (biased) over a contiguous outer×channels×inner block.
     */
    void channelMoments(int outer, int channels, int inner, float[] x, int xOffset, float[] mean, float[] variance);

    /** dst[n, c, k] = fma(x[n, c, k], scale[c], shift[c]) over contiguous outer×channels×inner blocks. */
    void channelAffine(int outer, int channels, int inner, float[] x, int xOffset, float[] scale, float[] shift,
                       float[] dst, int dstOffset);

    /** sumGrad[c] = Σ grad[n, c, k] and sumGradCentred[c] = Σ grad[n, c, k]·(x[n, c, k] − centre[c]). */
    void channelGradSums(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x, int xOffset,
                         float[] centre, float[] sumGrad, float[] sumGradCentred);

    /** dst[n, c, k] = fma(grad[n, c, k], gradScale[c], fma(x[n, c, k], xScale[c], shift[c])). */
    void channelAffine2(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x, int xOffset,
                        float[] gradScale, float[] xScale, float[] shift, float[] dst, int dstOffset);

    /**
     * C_e = A_e·B_e (C_e += A_e·B_e when {@code accumulate}) for the {@code batch} products
     * e &lt; batch whose operands start {@code e·aBatchStride}, {@code e·bBatchStride} and
     * {@code e·cBatchStride} elements after the offsets (a batch stride of 0 broadcasts an
     * operand); each product is read as in {@link #matmul}. With {@code cBatchStride} 0 the
     * products update one C in order of e (with {@code accumulate}: C += Σ_e A_e·B_e).
     */
    void matmulBatched(int batch, int m, int n, int k,
                       float[] a, int aOffset, int aBatchStride, int aRowStride, int aColStride,
                       float[] b, int bOffset, int bBatchStride, int bRowStride, int bColStride,
                       float[] c, int cOffset, int cBatchStride, int cRowStride, boolean accumulate);

    // ---- fused training-step kernels: one pass over contiguous operands ----

    /** dst[i] = self[i] &lt;= threshold ? 0 : grad[i] for i &lt; n: threshold_backward (a NaN self passes grad). */
    void thresholdBackward(int n, float threshold, float[] grad, int gradOffset, float[] self, int selfOffset,
                           float[] dst, int dstOffset);

    /**
     * One SGD update of n parameters in place: d = g + wd·p; buf = firstStep ? d : buf·μ + d·(1 − τ)
     * (when μ ≠ 0); d = nesterov ? d + buf·μ : buf; p = p + d·(−lr), each operation rounded to float.
     */
    void sgdStep(int n, SgdStep step, float[] param, int paramOffset, float[] grad, int gradOffset,
                 float[] buffer, int bufferOffset, boolean firstStep);

    /**
     * One Adam/AdamW update of n parameters in place: p = p·decay; g = g + wd·p; m = m·β1 + g·(1 − β1);
     * v = v·β2 + g·(1 − β2)·g; p = p + m·(−stepSize) / (√v / √bc2 + eps), each operation rounded to float.
     */
    void adamStep(int n, AdamStep step, float[] param, int paramOffset, float[] grad, int gradOffset,
                  float[] expAvg, int expAvgOffset, float[] expAvgSq, int expAvgSqOffset);
}
