package org.vectorgrad.simd;

/**
 * The production pooling kernels: the planes of an N×C×H×W tensor are independent, so they are
 * split across {@link Parallel} threads, each plane computed by {@link ScalarPooling}'s plane
 * routine. Every output element is produced by exactly one plane computation, so the result is
 * bit-identical to the reference for any thread count.
 *
 * <p>NOTE: no SIMD here on purpose. Pooling windows are strided (stride 2 in ResNet), so lanes
 * would need gathers, and max pooling also tracks an index per lane; pooling is a few percent of
 * a convolutional network's time, far below the convolutions' GEMMs.
 */
final class VectorPooling {
    /** Output elements per parallel chunk: below this a task costs more than it saves. */
    private static final int GRAIN = 1 << 14;

    private VectorPooling() {
    }

    private static int planesPerChunk(int elementsPerPlane) {
        return Math.max(1, GRAIN / Math.max(1, elementsPerPlane));
    }

    static void maxPool2d(Window2d w, int planes, float[] src, int srcOffset, int[] srcStrides,
                          float[] dst, int dstOffset, int[] argmax, int argmaxOffset) {
        int out = w.outPlane();
        Parallel.forRange(planes, planesPerChunk(out * w.taps()), (from, to) -> {
            for (int p = from; p < to; p++) {
                ScalarPooling.maxPlane(w, src, srcOffset + p * srcStrides[0], srcStrides, dst, dstOffset + p * out,
                        argmax, argmaxOffset + p * out);
            }
        });
    }

    static void maxPool2dBackward(Window2d w, int planes, float[] grad, int gradOffset, int[] argmax,
                                  int argmaxOffset, float[] dst, int dstOffset) {
        int out = w.outPlane();
        int in = w.inPlane();
        Parallel.forRange(planes, planesPerChunk(out), (from, to) -> {
            for (int p = from; p < to; p++) {
                ScalarPooling.maxPlaneBackward(out, grad, gradOffset + p * out, argmax, argmaxOffset + p * out,
                        dst, dstOffset + p * in);
            }
        });
    }

    static void avgPool2d(Window2d w, int planes, float[] src, int srcOffset, int[] srcStrides,
                          float[] dst, int dstOffset) {
        int out = w.outPlane();
        Parallel.forRange(planes, planesPerChunk(out * w.taps()), (from, to) -> {
            for (int p = from; p < to; p++) {
                ScalarPooling.avgPlane(w, src, srcOffset + p * srcStrides[0], srcStrides, dst, dstOffset + p * out);
            }
        });
    }

    static void avgPool2dBackward(Window2d w, int planes, float[] grad, int gradOffset, float[] dst, int dstOffset) {
        int out = w.outPlane();
        int in = w.inPlane();
        Parallel.forRange(planes, planesPerChunk(out * w.taps()), (from, to) -> {
            for (int p = from; p < to; p++) {
                ScalarPooling.avgPlaneBackward(w, grad, gradOffset + p * out, dst, dstOffset + p * in);
            }
        });
    }

    static void adaptiveAvgPool2d(int planes, int inH, int inW, int outH, int outW, float[] src, int srcOffset,
                                  int[] srcStrides, float[] dst, int dstOffset) {
        int out = outH * outW;
        Parallel.forRange(planes, planesPerChunk(inH * inW), (from, to) -> {
            for (int p = from; p < to; p++) {
                ScalarPooling.adaptivePlane(inH, inW, outH, outW, src, srcOffset + p * srcStrides[0], srcStrides,
                        dst, dstOffset + p * out);
            }
        });
    }

    static void adaptiveAvgPool2dBackward(int planes, int inH, int inW, int outH, int outW, float[] grad,
                                          int gradOffset, float[] dst, int dstOffset) {
        int out = outH * outW;
        int in = inH * inW;
        Parallel.forRange(planes, planesPerChunk(in), (from, to) -> {
            for (int p = from; p < to; p++) {
                ScalarPooling.adaptivePlaneBackward(inH, inW, outH, outW, grad, gradOffset + p * out, dst,
                        dstOffset + p * in);
            }
        });
    }
}
