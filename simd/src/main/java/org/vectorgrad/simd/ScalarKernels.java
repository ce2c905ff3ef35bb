package org.vectorgrad.simd;

import java.util.Arrays;

/**
 * The plain-loop reference implementation of {@link Kernels}: every value is computed by the
 * op's own {@code apply} definition, reductions accumulate in double. Tests compare the vector
 * kernels against it; it is also the fallback when the Vector API is unavailable.
 */
public final class ScalarKernels implements Kernels {
    // Elements per parallel chunk, 30-60 µs of scalar work (about what waking a parked pool
    // worker was measured to cost, see VectorKernels): cheap IEEE ops run near 1 element/ns,
    // Math's transcendentals and pow take several ns each.
    static final int CHEAP_CHUNK = 1 << 15;
    static final int COSTLY_CHUNK = 1 << 13;
    // Pieces of a whole-tensor sum: fixed, so the result does not depend on the thread count.
    private static final int PIECE = 1 << 13;

    private static int minChunk(boolean cheap) {
        return cheap ? CHEAP_CHUNK : COSTLY_CHUNK;
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void map(UnaryOp op, int[] shape, float[] src, int srcOffset, int[] srcStrides,
                    float[] dst, int dstOffset) {
        RowWalk walk = RowWalk.intoContiguous(shape, srcStrides);
        int s = walk.innerStride(0);
        RowVisitor rows = (o, n) -> {
            for (int i = 0; i < n; i++) {
                dst[o[1] + i] = op.apply(src[o[0] + i * s]);
            }
        };
        walk.forEachRowParallel(new int[] {srcOffset, dstOffset}, 1, minChunk(op.isExact()), () -> rows);
    }

    @Override
    public void zip(BinaryOp op, int[] shape, float[] a, int aOffset, int[] aStrides,
                    float[] b, int bOffset, int[] bStrides, float[] dst, int dstOffset) {
        RowWalk walk = RowWalk.intoContiguous(shape, aStrides, bStrides);
        int as = walk.innerStride(0);
        int bs = walk.innerStride(1);
        RowVisitor rows = (o, n) -> {
            for (int i = 0; i < n; i++) {
                dst[o[2] + i] = op.apply(a[o[0] + i * as], b[o[1] + i * bs]);
            }
        };
        walk.forEachRowParallel(new int[] {aOffset, bOffset, dstOffset}, 1, minChunk(op != BinaryOp.POW), () -> rows);
    }

    @Override
    public void where(int[] shape, float[] cond, int condOffset, int[] condStrides,
                      float[] a, int aOffset, int[] aStrides, float[] b, int bOffset, int[] bStrides,
                      float[] dst, int dstOffset) {
        RowWalk walk = RowWalk.intoContiguous(shape, condStrides, aStrides, bStrides);
        int cs = walk.innerStride(0);
        int as = walk.innerStride(1);
        int bs = walk.innerStride(2);
        RowVisitor rows = (o, n) -> {
            for (int i = 0; i < n; i++) {
                dst[o[3] + i] = cond[o[0] + i * cs] != 0f ? a[o[1] + i * as] : b[o[2] + i * bs];
            }
        };
        walk.forEachRowParallel(new int[] {condOffset, aOffset, bOffset, dstOffset}, 1, minChunk(true), () -> rows);
    }

    @Override
    public void copy(int[] shape, float[] src, int srcOffset, int[] srcStrides,
                     float[] dst, int dstOffset, int[] dstStrides) {
        StridedCopy.copy(shape, src, srcOffset, srcStrides, dst, dstOffset, dstStrides);
    }

    @Override
    public void sum(int[] shape, float[] a, int aOffset, int[] aStrides, boolean[] reduce,
                    float[] dst, int dstOffset) {
        int[] dstStrides = Shapes.reducedStrides(shape, reduce);
        int kept = Shapes.keptCount(shape, reduce);
        RowWalk walk = RowWalk.of(shape, aStrides, dstStrides);
        int as = walk.innerStride(0);
        int ds = walk.innerStride(1);
        if (kept == 1) {
            dst[dstOffset] = (float) walk.sumInPieces(new int[] {aOffset, 0}, PIECE, CHEAP_CHUNK,
                    () -> (o, n) -> stridedSum(a, o[0], as, n));
            return;
        }
        double[] acc = new double[kept];
        RowVisitor rows = (o, n) -> {
            for (int i = 0; i < n; i++) {
                acc[o[1] + i * ds] += a[o[0] + i * as];
            }
        };
        walk.forEachRowOwning(new int[] {aOffset, 0}, 1, CHEAP_CHUNK, () -> rows);
        for (int j = 0; j < acc.length; j++) {
            dst[dstOffset + j] = (float) acc[j];
        }
    }

    private static double stridedSum(float[] a, int offset, int stride, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[offset + i * stride];
        }
        return sum;
    }

    @Override
    public float sumOfSquares(int[] shape, float[] a, int aOffset, int[] aStrides) {
        RowWalk walk = RowWalk.of(shape, aStrides);
        int as = walk.innerStride(0);
        return (float) walk.sumInPieces(new int[] {aOffset}, PIECE, CHEAP_CHUNK, () -> (o, n) -> {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double x = a[o[0] + i * as];
                sum += x * x;
            }
            return sum;
        });
    }

    @Override
    public void max(int[] shape, float[] a, int aOffset, int[] aStrides, int dim,
                    float[] values, int valuesOffset, float[] indices, int indicesOffset) {
        int length = shape[dim];
        int step = aStrides[dim];
        RowWalk walk = RowWalk.linesAlong(shape, dim, aStrides);
        if (walk.rowCount() * walk.rowLength() == 1 && length >= 2 * CHEAP_CHUNK) {
            int at = RowWalk.firstMaxInPieces(a, aOffset, step, length, PIECE, CHEAP_CHUNK,
                    (from, to) -> from + firstMax(a, aOffset + from * step, step, to - from));
            values[valuesOffset] = a[aOffset + at * step];
            if (indices != null) {
                indices[indicesOffset] = at;
            }
            return;
        }
        int as = walk.innerStride(0);
        RowVisitor lines = (o, n) -> {
            for (int j = 0; j < n; j++) {
                int at = firstMax(a, o[0] + j * as, step, length);
                values[valuesOffset + o[1] + j] = a[o[0] + j * as + at * step];
                if (indices != null) {
                    indices[indicesOffset + o[1] + j] = at;
                }
            }
        };
        walk.forEachRowParallel(new int[] {aOffset, 0}, 1, CHEAP_CHUNK / Math.max(length, 1) + 1, () -> lines);
    }

    // The first index of the maximum of a[base + t * step], t < length: NaN wins, ties keep the first.
    private static int firstMax(float[] a, int base, int step, int length) {
        int best = 0;
        float bestValue = a[base];
        for (int t = 1; t < length && bestValue == bestValue; t++) {
            float x = a[base + t * step];
            if (x > bestValue || x != x) {
                best = t;
                bestValue = x;
            }
        }
        return best;
    }

    @Override
    public void softmax(int[] shape, float[] a, int aOffset, int[] aStrides, int dim, boolean log,
                        float[] dst, int dstOffset) {
        int length = shape[dim];
        int aStep = aStrides[dim];
        int[] dstStrides = Shapes.contiguousStrides(shape);
        int dStep = dstStrides[dim];
        RowWalk walk = RowWalk.linesAlong(shape, dim, aStrides, dstStrides);
        int as = walk.innerStride(0);
        int ds = walk.innerStride(1);
        RowVisitor lines = (o, n) -> {
            for (int j = 0; j < n; j++) {
                softmaxLine(a, o[0] + j * as, aStep, dst, o[1] + j * ds, dStep, length, log);
            }
        };
        walk.forEachRowParallel(new int[] {aOffset, dstOffset}, 1, COSTLY_CHUNK / Math.max(length, 1) + 1,
                () -> lines);
    }

    private static void softmaxLine(float[] a, int aBase, int aStep, float[] dst, int dBase,
                                    int dStep, int length, boolean log) {
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < length; t++) {
            max = Math.max(max, a[aBase + t * aStep]);
        }
        double sum = 0;
        for (int t = 0; t < length; t++) {
            sum += Math.exp(a[aBase + t * aStep] - max);
        }
        float logSum = (float) Math.log(sum);
        for (int t = 0; t < length; t++) {
            float shifted = a[aBase + t * aStep] - max;
            dst[dBase + t * dStep] = log ? shifted - logSum : (float) (Math.exp(shifted) / sum);
        }
    }

    @Override
    public PackedMatrix pack(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride) {
        return new PackedMatrix(m, k, a, aOffset, aRowStride, aColStride, null);
    }

    @Override
    public int packedLength(int m, int k, int aRowStride, int aColStride, long columns) {
        return 0;
    }

    @Override
    public PackedMatrix pack(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride, long columns,
                             float[] into) {
        return pack(m, k, a, aOffset, aRowStride, aColStride);
    }

    @Override
    public void matmulPacked(PackedMatrix a, int n, float[] b, int bOffset, int bRowStride, int bColStride,
                             float[] c, int cOffset, int cRowStride, boolean accumulate) {
        matmul(a.m, n, a.k, a.a, a.aOffset, a.aRowStride, a.aColStride, b, bOffset, bRowStride, bColStride,
                c, cOffset, cRowStride, accumulate);
    }

    @Override
    public void matmul(int m, int n, int k,
                       float[] a, int aOffset, int aRowStride, int aColStride,
                       float[] b, int bOffset, int bRowStride, int bColStride,
                       float[] c, int cOffset, int cRowStride, boolean accumulate) {
        product(new Gemm(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                c, cOffset, cRowStride, accumulate));
    }

    @Override
    public void matmulPackedRows(PackedMatrix a, int n, float[] b, int[] bRows, float[] c, int cOffset,
                                 int cRowStride, boolean accumulate) {
        product(new Gemm(a.m, n, a.k, a.a, a.aOffset, a.aRowStride, a.aColStride, b, 0, 0, 1, c, cOffset,
                cRowStride, accumulate, bRows));
    }

    @Override
    public void matmulRows(int m, int n, int k, float[] a, int[] aRows, int[] aShifts, float[] b, int[] bRows,
                           float[] c, int cOffset, int cRowStride, boolean accumulate) {
        for (int s = 0; s < aShifts.length; s++) {
            product(new Gemm(m, n, k, a, aShifts[s], 1, 0, b, 0, 0, 1, c, cOffset + s * m * cRowStride, cRowStride,
                    accumulate, bRows, aRows));
        }
    }

    // Each element a double-precision sum over p in order: the reference the vector GEMM is held to.
    private static void product(Gemm g) {
        for (int i = 0; i < g.m(); i++) {
            for (int j = 0; j < g.n(); j++) {
                double acc = 0;
                for (int p = 0; p < g.k(); p++) {
                    acc += (double) g.a()[g.aColStart(p) + i * g.aRowStride()] * g.b()[g.bRowStart(p) + j * g.bColStride()];
                }
                int at = g.cOffset() + i * g.cRowStride() + j;
                g.c()[at] = g.accumulate() ? (float) (g.c()[at] + acc) : (float) acc;
            }
        }
    }

    // ---- neural-network kernels (bodies in Im2col, ScalarPooling, ScalarChannels) ----

    @Override
    public void im2col(Window2d window, int channels, float[] src, int srcOffset, int[] srcStrides,
                       float[] cols, int colsOffset, int colsRowStride) {
        Im2col.im2col(window, channels, src, srcOffset, srcStrides, cols, colsOffset, colsRowStride);
    }

    @Override
    public void col2im(Window2d window, int channels, float[] cols, int colsOffset, int colsRowStride,
                       float[] dst, int dstOffset) {
        Im2col.col2im(window, channels, cols, colsOffset, colsRowStride, dst, dstOffset);
    }

    @Override
    public void maxPool2d(Window2d window, int planes, float[] src, int srcOffset, int[] srcStrides,
                          float[] dst, int dstOffset, int[] argmax, int argmaxOffset) {
        int out = window.outPlane();
        for (int p = 0; p < planes; p++) {
            ScalarPooling.maxPlane(window, src, srcOffset + p * srcStrides[0], srcStrides, dst, dstOffset + p * out,
                    argmax, argmaxOffset + p * out);
        }
    }

    @Override
    public void maxPool2dBackward(Window2d window, int planes, float[] grad, int gradOffset, int[] argmax,
                                  int argmaxOffset, float[] dst, int dstOffset) {
        int out = window.outPlane();
        int in = window.inPlane();
        Arrays.fill(dst, dstOffset, dstOffset + planes * in, 0f);
        for (int p = 0; p < planes; p++) {
            ScalarPooling.maxPlaneBackward(out, grad, gradOffset + p * out, argmax, argmaxOffset + p * out, dst,
                    dstOffset + p * in);
        }
    }

    @Override
    public void avgPool2d(Window2d window, int planes, float[] src, int srcOffset, int[] srcStrides,
                          float[] dst, int dstOffset) {
        for (int p = 0; p < planes; p++) {
            ScalarPooling.avgPlane(window, src, srcOffset + p * srcStrides[0], srcStrides, dst,
                    dstOffset + p * window.outPlane());
        }
    }

    @Override
    public void avgPool2dBackward(Window2d window, int planes, float[] grad, int gradOffset, float[] dst,
                                  int dstOffset) {
        for (int p = 0; p < planes; p++) {
            ScalarPooling.avgPlaneBackward(window, grad, gradOffset + p * window.outPlane(), dst,
                    dstOffset + p * window.inPlane());
        }
    }

    @Override
    public void adaptiveAvgPool2d(int planes, int inH, int inW, int outH, int outW, float[] src, int srcOffset,
                                  int[] srcStrides, float[] dst, int dstOffset) {
        for (int p = 0; p < planes; p++) {
            ScalarPooling.adaptivePlane(inH, inW, outH, outW, src, srcOffset + p * srcStrides[0], srcStrides, dst,
                    dstOffset + p * outH * outW);
        }
    }

    @Override
    public void adaptiveAvgPool2dBackward(int planes, int inH, int inW, int outH, int outW, float[] grad,
                                          int gradOffset, float[] dst, int dstOffset) {
        for (int p = 0; p < planes; p++) {
            ScalarPooling.adaptivePlaneBackward(inH, inW, outH, outW, grad, gradOffset + p * outH * outW, dst,
                    dstOffset + p * inH * inW);
        }
    }

    @Override
    public void channelMoments(int outer, int channels, int inner, float[] x, int xOffset, float[] mean,
                               float[] variance) {
        ScalarChannels.moments(outer, channels, inner, x, xOffset, mean, variance);
    }

    @Override
    public void channelAffine(int outer, int channels, int inner, float[] x, int xOffset, float[] scale,
                              float[] shift, float[] dst, int dstOffset) {
        ScalarChannels.affine(outer, channels, inner, x, xOffset, scale, shift, dst, dstOffset);
    }

    @Override
    public void channelGradSums(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x,
                                int xOffset, float[] centre, float[] sumGrad, float[] sumGradCentred) {
        ScalarChannels.gradSums(outer, channels, inner, grad, gradOffset, x, xOffset, centre, sumGrad,
                sumGradCentred);
    }

    @Override
    public void channelAffine2(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x,
                               int xOffset, float[] gradScale, float[] xScale, float[] shift, float[] dst,
                               int dstOffset) {
        ScalarChannels.affine2(outer, channels, inner, grad, gradOffset, x, xOffset, gradScale, xScale, shift, dst,
                dstOffset);
    }

    @Override
    public void matmulBatched(int batch, int m, int n, int k,
                              float[] a, int aOffset, int aBatchStride, int aRowStride, int aColStride,
                              float[] b, int bOffset, int bBatchStride, int bRowStride, int bColStride,
                              float[] c, int cOffset, int cBatchStride, int cRowStride, boolean accumulate) {
        for (int e = 0; e < batch; e++) {
            matmul(m, n, k, a, aOffset + e * aBatchStride, aRowStride, aColStride,
                    b, bOffset + e * bBatchStride, bRowStride, bColStride,
                    c, cOffset + e * cBatchStride, cRowStride, accumulate);
        }
    }

    // ---- fused training-step kernels (bodies in ScalarStepKernels) ----

    @Override
    public void thresholdBackward(int n, float threshold, float[] grad, int gradOffset, float[] self, int selfOffset,
                                  float[] dst, int dstOffset) {
        ScalarStepKernels.thresholdBackward(0, n, threshold, grad, gradOffset, self, selfOffset, dst, dstOffset);
    }

    @Override
    public void sgdStep(int n, SgdStep step, float[] param, int paramOffset, float[] grad, int gradOffset,
                        float[] buffer, int bufferOffset, boolean firstStep) {
        ScalarStepKernels.sgd(0, n, step, param, paramOffset, grad, gradOffset, buffer, bufferOffset, firstStep);
    }

    @Override
    public void adamStep(int n, AdamStep step, float[] param, int paramOffset, float[] grad, int gradOffset,
                         float[] expAvg, int expAvgOffset, float[] expAvgSq, int expAvgSqOffset) {
        ScalarStepKernels.adam(0, n, step, param, paramOffset, grad, gradOffset, expAvg, expAvgOffset, expAvgSq,
                expAvgSqOffset);
    }
}
