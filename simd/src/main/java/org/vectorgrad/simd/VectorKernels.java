package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API implementation of {@link Kernels}. The n-d iteration is {@link RowWalk}'s; each
 * row is dispatched once on its op and inner strides to a contiguous vector loop, a loop with a
 * broadcast operand, or a strided fallback. The loops live in package-private helpers by family
 * ({@link VectorUnary}, {@link VectorBinary}, {@link VectorPow}, {@link VectorReductions},
 * {@link VectorMax}, {@link VectorSoftmax}, {@link VectorMatmul}).
 *
 * <p>Loaded reflectively by {@link KernelProvider}: nothing else may refer to this class, so that
 * the library links on JVMs without {@code jdk.incubator.vector}.
 */
public final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /**
     * Elementwise chunks start at multiples of this many elements (so a long contiguous row splits
     * on whole vectors, as on one thread) ...
     */
    static final int GRANULE = 1024;
    /**
     * ... and hold at least this many, 40-60 µs of work: a parallel call waits for a parked pool
     * worker to wake up, measured at 30-60 µs on a 2-core VM, so smaller chunks ran slower on
     * two threads than on one.
     */
    static final int MIN_CHUNK = 1 << 17;

    /** Creates the kernels; they are stateless. */
    public VectorKernels() {
    }

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize();
    }

    @Override
    public void map(UnaryOp op, int[] shape, float[] src, int srcOffset, int[] srcStrides,
                    float[] dst, int dstOffset) {
        if (SmallKernels.map(op, shape, src, srcOffset, srcStrides, dst, dstOffset)) {
            return;
        }
        RowWalk walk = RowWalk.intoContiguous(shape, srcStrides);
        int s = walk.innerStride(0);
        RowVisitor rows = (o, n) -> VectorUnary.row(op, src, o[0], s, dst, o[1], n);
        walk.forEachRowParallel(new int[] {srcOffset, dstOffset}, GRANULE, MIN_CHUNK, () -> rows);
    }

    @Override
    public void zip(BinaryOp op, int[] shape, float[] a, int aOffset, int[] aStrides,
                    float[] b, int bOffset, int[] bStrides, float[] dst, int dstOffset) {
        if (SmallKernels.zip(op, shape, a, aOffset, aStrides, b, bOffset, bStrides, dst, dstOffset)) {
            return;
        }
        RowWalk walk = RowWalk.intoContiguous(shape, aStrides, bStrides);
        int as = walk.innerStride(0);
        int bs = walk.innerStride(1);
        RowVisitor rows = (o, n) -> VectorBinary.row(op, a, o[0], as, b, o[1], bs, dst, o[2], n);
        walk.forEachRowParallel(new int[] {aOffset, bOffset, dstOffset}, GRANULE, MIN_CHUNK, () -> rows);
    }

    @Override
    public void where(int[] shape, float[] cond, int condOffset, int[] condStrides,
                      float[] a, int aOffset, int[] aStrides, float[] b, int bOffset, int[] bStrides,
                      float[] dst, int dstOffset) {
        RowWalk walk = RowWalk.intoContiguous(shape, condStrides, aStrides, bStrides);
        int cs = walk.innerStride(0);
        int as = walk.innerStride(1);
        int bs = walk.innerStride(2);
        boolean vector = cs == 1 && (as == 0 || as == 1) && (bs == 0 || bs == 1);
        RowVisitor rows = (o, n) -> {
            int i = vector ? whereRow(cond, o[0], a, o[1], as, b, o[2], bs, dst, o[3], n) : 0;
            // scalar tail (and the strided fallback)
            for (; i < n; i++) {
                dst[o[3] + i] = cond[o[0] + i * cs] != 0f ? a[o[1] + i * as] : b[o[2] + i * bs];
            }
        };
        walk.forEachRowParallel(new int[] {condOffset, aOffset, bOffset, dstOffset}, GRANULE, MIN_CHUNK, () -> rows);
    }

    // cond contiguous; a and b contiguous (1) or broadcast (0). NE is unordered: a NaN condition
    // counts as true, as cond != 0 does. Returns how many elements it wrote (whole vectors).
    private static int whereRow(float[] cond, int co, float[] a, int ao, int as, float[] b, int bo, int bs,
                                float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                VectorMask<Float> m = FloatVector.fromArray(SPECIES, cond, co + i).compare(VectorOperators.NE, 0f);
                FloatVector.fromArray(SPECIES, b, bo + i).blend(FloatVector.fromArray(SPECIES, a, ao + i), m)
                        .intoArray(dst, d + i);
            }
        } else if (as == 1) {
            FloatVector y = FloatVector.broadcast(SPECIES, b[bo]);
            for (; i < bound; i += SPECIES.length()) {
                VectorMask<Float> m = FloatVector.fromArray(SPECIES, cond, co + i).compare(VectorOperators.NE, 0f);
                y.blend(FloatVector.fromArray(SPECIES, a, ao + i), m).intoArray(dst, d + i);
            }
        } else if (bs == 1) {
            float x = a[ao];
            for (; i < bound; i += SPECIES.length()) {
                VectorMask<Float> m = FloatVector.fromArray(SPECIES, cond, co + i).compare(VectorOperators.NE, 0f);
                FloatVector.fromArray(SPECIES, b, bo + i).blend(x, m).intoArray(dst, d + i);
            }
        } else {
            FloatVector y = FloatVector.broadcast(SPECIES, b[bo]);
            float x = a[ao];
            for (; i < bound; i += SPECIES.length()) {
                VectorMask<Float> m = FloatVector.fromArray(SPECIES, cond, co + i).compare(VectorOperators.NE, 0f);
                y.blend(x, m).intoArray(dst, d + i);
            }
        }
        return i;
    }

    @Override
    public void copy(int[] shape, float[] src, int srcOffset, int[] srcStrides,
                     float[] dst, int dstOffset, int[] dstStrides) {
        if (SmallKernels.copy(shape, src, srcOffset, srcStrides, dst, dstOffset, dstStrides)) {
            return;
        }
        StridedCopy.copy(shape, src, srcOffset, srcStrides, dst, dstOffset, dstStrides);
    }

    @Override
    public void sum(int[] shape, float[] a, int aOffset, int[] aStrides, boolean[] reduce,
                    float[] dst, int dstOffset) {
        if (SmallKernels.sum(shape, a, aOffset, aStrides, reduce, dst, dstOffset)) {
            return;
        }
        VectorReductions.sum(shape, a, aOffset, aStrides, reduce, dst, dstOffset);
    }

    @Override
    public float sumOfSquares(int[] shape, float[] a, int aOffset, int[] aStrides) {
        return VectorReductions.sumOfSquares(shape, a, aOffset, aStrides);
    }

    @Override
    public void max(int[] shape, float[] a, int aOffset, int[] aStrides, int dim,
                    float[] values, int valuesOffset, float[] indices, int indicesOffset) {
        VectorReductions.max(shape, a, aOffset, aStrides, dim, values, valuesOffset, indices, indicesOffset);
    }

    @Override
    public void softmax(int[] shape, float[] a, int aOffset, int[] aStrides, int dim, boolean log,
                        float[] dst, int dstOffset) {
        VectorSoftmax.softmax(shape, a, aOffset, aStrides, dim, log, dst, dstOffset);
    }

    @Override
    public void matmul(int m, int n, int k,
                       float[] a, int aOffset, int aRowStride, int aColStride,
                       float[] b, int bOffset, int bRowStride, int bColStride,
                       float[] c, int cOffset, int cRowStride, boolean accumulate) {
        VectorMatmul.matmul(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride,
                bColStride, c, cOffset, cRowStride, accumulate);
    }

    @Override
    public PackedMatrix pack(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride) {
        // The products to come are unknown: every sliver packed, ready for many of them.
        long columns = Long.MAX_VALUE;
        float[] slivers = new float[packedLength(m, k, aRowStride, aColStride, columns)];
        return VectorMatmul.pack(m, k, a, aOffset, aRowStride, aColStride, slivers, columns);
    }

    @Override
    public int packedLength(int m, int k, int aRowStride, int aColStride, long columns) {
        return VectorMatmul.packedLength(m, k, aRowStride, aColStride, columns);
    }

    @Override
    public PackedMatrix pack(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride, long columns,
                             float[] into) {
        return VectorMatmul.pack(m, k, a, aOffset, aRowStride, aColStride, into, columns);
    }

    @Override
    public void matmulPacked(PackedMatrix a, int n, float[] b, int bOffset, int bRowStride, int bColStride,
                             float[] c, int cOffset, int cRowStride, boolean accumulate) {
        VectorMatmul.matmulPacked(a, n, b, bOffset, bRowStride, bColStride, c, cOffset, cRowStride, accumulate);
    }

    @Override
    public void matmulPackedRows(PackedMatrix a, int n, float[] b, int[] bRows, float[] c, int cOffset,
                                 int cRowStride, boolean accumulate) {
        VectorMatmul.matmulPackedRows(a, n, b, bRows, c, cOffset, cRowStride, accumulate);
    }

    @Override
    public void matmulRows(int m, int n, int k, float[] a, int[] aRows, int[] aShifts, float[] b, int[] bRows,
                           float[] c, int cOffset, int cRowStride, boolean accumulate) {
        VectorMatmul.matmulRows(m, n, k, a, aRows, aShifts, b, bRows, c, cOffset, cRowStride, accumulate);
    }

    // ---- neural-network kernels (bodies in VectorIm2col, VectorPooling, VectorChannels) ----

    @Override
    public void im2col(Window2d window, int channels, float[] src, int srcOffset, int[] srcStrides,
                       float[] cols, int colsOffset, int colsRowStride) {
        VectorIm2col.im2col(window, channels, src, srcOffset, srcStrides, cols, colsOffset, colsRowStride);
    }

    @Override
    public void col2im(Window2d window, int channels, float[] cols, int colsOffset, int colsRowStride,
                       float[] dst, int dstOffset) {
        VectorIm2col.col2im(window, channels, cols, colsOffset, colsRowStride, dst, dstOffset);
    }

    @Override
    public void maxPool2d(Window2d window, int planes, float[] src, int srcOffset, int[] srcStrides,
                          float[] dst, int dstOffset, int[] argmax, int argmaxOffset) {
        VectorPooling.maxPool2d(window, planes, src, srcOffset, srcStrides, dst, dstOffset, argmax, argmaxOffset);
    }

    @Override
    public void maxPool2dBackward(Window2d window, int planes, float[] grad, int gradOffset, int[] argmax,
                                  int argmaxOffset, float[] dst, int dstOffset) {
        VectorPooling.maxPool2dBackward(window, planes, grad, gradOffset, argmax, argmaxOffset, dst, dstOffset);
    }

    @Override
    public void avgPool2d(Window2d window, int planes, float[] src, int srcOffset, int[] srcStrides,
                          float[] dst, int dstOffset) {
        VectorPooling.avgPool2d(window, planes, src, srcOffset, srcStrides, dst, dstOffset);
    }

    @Override
    public void avgPool2dBackward(Window2d window, int planes, float[] grad, int gradOffset, float[] dst,
                                  int dstOffset) {
        VectorPooling.avgPool2dBackward(window, planes, grad, gradOffset, dst, dstOffset);
    }

    @Override
    public void adaptiveAvgPool2d(int planes, int inH, int inW, int outH, int outW, float[] src, int srcOffset,
                                  int[] srcStrides, float[] dst, int dstOffset) {
        VectorPooling.adaptiveAvgPool2d(planes, inH, inW, outH, outW, src, srcOffset, srcStrides, dst, dstOffset);
    }

    @Override
    public void adaptiveAvgPool2dBackward(int planes, int inH, int inW, int outH, int outW, float[] grad,
                                          int gradOffset, float[] dst, int dstOffset) {
        VectorPooling.adaptiveAvgPool2dBackward(planes, inH, inW, outH, outW, grad, gradOffset, dst, dstOffset);
    }

    @Override
    public void channelMoments(int outer, int channels, int inner, float[] x, int xOffset, float[] mean,
                               float[] variance) {
        VectorChannels.moments(outer, channels, inner, x, xOffset, mean, variance);
    }

    @Override
    public void channelAffine(int outer, int channels, int inner, float[] x, int xOffset, float[] scale,
                              float[] shift, float[] dst, int dstOffset) {
        VectorChannels.affine(outer, channels, inner, x, xOffset, scale, shift, dst, dstOffset);
    }

    @Override
    public void channelGradSums(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x,
                                int xOffset, float[] centre, float[] sumGrad, float[] sumGradCentred) {
        VectorChannels.gradSums(outer, channels, inner, grad, gradOffset, x, xOffset, centre, sumGrad,
                sumGradCentred);
    }

    @Override
    public void channelAffine2(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x,
                               int xOffset, float[] gradScale, float[] xScale, float[] shift, float[] dst,
                               int dstOffset) {
        VectorChannels.affine2(outer, channels, inner, grad, gradOffset, x, xOffset, gradScale, xScale, shift, dst,
                dstOffset);
    }

    @Override
    public void matmulBatched(int batch, int m, int n, int k,
                              float[] a, int aOffset, int aBatchStride, int aRowStride, int aColStride,
                              float[] b, int bOffset, int bBatchStride, int bRowStride, int bColStride,
                              float[] c, int cOffset, int cBatchStride, int cRowStride, boolean accumulate) {
        VectorMatmul.matmulBatched(batch, m, n, k, a, aOffset, aBatchStride, aRowStride, aColStride,
                b, bOffset, bBatchStride, bRowStride, bColStride, c, cOffset, cBatchStride, cRowStride, accumulate);
    }

    // ---- fused training-step kernels (bodies in VectorStepKernels) ----

    @Override
    public void thresholdBackward(int n, float threshold, float[] grad, int gradOffset, float[] self, int selfOffset,
                                  float[] dst, int dstOffset) {
        VectorStepKernels.thresholdBackward(n, threshold, grad, gradOffset, self, selfOffset, dst, dstOffset);
    }

    @Override
    public void sgdStep(int n, SgdStep step, float[] param, int paramOffset, float[] grad, int gradOffset,
                        float[] buffer, int bufferOffset, boolean firstStep) {
        VectorStepKernels.sgd(n, step, param, paramOffset, grad, gradOffset, buffer, bufferOffset, firstStep);
    }

    @Override
    public void adamStep(int n, AdamStep step, float[] param, int paramOffset, float[] grad, int gradOffset,
                         float[] expAvg, int expAvgOffset, float[] expAvgSq, int expAvgSqOffset) {
        VectorStepKernels.adam(n, step, param, paramOffset, grad, gradOffset, expAvg, expAvgOffset, expAvgSq,
                expAvgSqOffset);
    }
}
