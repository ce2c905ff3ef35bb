package org.vectorgrad.simd;

import java.util.Arrays;

/**
 * The production pooling kernels: the planes of an N×C×H×W tensor are independent, so they are
 * split across {@link Parallel} threads (fixed chunks of whole planes). Max pooling of planes with
 * contiguous rows runs {@link VectorMaxPool}'s gathers, and its backward scatters a vector at a
 * time when windows are disjoint (2×2 stride 2); the rest runs {@link ScalarPooling}'s plane
 * routines. Every output element is produced by exactly one plane computation, so the result is
 * bit-identical to the reference for any thread count.
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
        boolean halving = isHalving(w);
        int[] map = VectorMaxPool.fits(w, srcStrides) ? VectorMaxPool.tapMap(w) : null;
        Parallel.forRange(planes, planesPerChunk(out * w.taps()), (from, to) -> {
            for (int p = from; p < to; p++) {
                if (map != null) {
                    VectorMaxPool.plane(w, map, src, srcOffset + p * srcStrides[0], dst, dstOffset + p * out,
                            argmax, argmaxOffset + p * out);
                } else if (halving) {
                    maxPlaneHalving(w, src, srcOffset + p * srcStrides[0], srcStrides[1], srcStrides[2],
                            dst, dstOffset + p * out, argmax, argmaxOffset + p * out);
                } else {
                    ScalarPooling.maxPlane(w, src, srcOffset + p * srcStrides[0], srcStrides, dst,
                            dstOffset + p * out, argmax, argmaxOffset + p * out);
                }
            }
        });
    }

    /** The 2×2, stride-2 window of most CNNs: always inside the plane, so no clamping loops. */
    private static boolean isHalving(Window2d w) {
        return w.kernelH() == 2 && w.kernelW() == 2 && w.strideH() == 2 && w.strideW() == 2
                && w.padH() == 0 && w.padW() == 0 && w.dilationH() == 1 && w.dilationW() == 1;
    }

    // NOTE: the same comparisons in the same window order as ScalarPooling.maxPlane (first maximum
    // wins, NaN replaces anything), unrolled; it profiled at ~14% of the default CNN's step.
    private static void maxPlaneHalving(Window2d w, float[] src, int at, int rowStride, int colStride,
                                        float[] dst, int out, int[] argmax, int idx) {
        int outW = w.outW();
        int inW = w.inW();
        for (int oh = 0; oh < w.outH(); oh++) {
            int top = at + 2 * oh * rowStride;
            int bottom = top + rowStride;
            for (int ow = 0; ow < outW; ow++) {
                int x = 2 * ow * colStride;
                int position = 2 * oh * inW + 2 * ow;
                float best = src[top + x];
                int bestAt = position;
                float v = src[top + x + colStride];
                if (v > best || v != v) {
                    best = v;
                    bestAt = position + 1;
                }
                v = src[bottom + x];
                if (v > best || v != v) {
                    best = v;
                    bestAt = position + inW;
                }
                v = src[bottom + x + colStride];
                if (v > best || v != v) {
                    best = v;
                    bestAt = position + inW + 1;
                }
                dst[out + oh * outW + ow] = best;
                argmax[idx + oh * outW + ow] = bestAt;
            }
        }
    }

    static void maxPool2dBackward(Window2d w, int planes, float[] grad, int gradOffset, int[] argmax,
                                  int argmaxOffset, float[] dst, int dstOffset) {
        int out = w.outPlane();
        int in = w.inPlane();
        boolean disjoint = VectorMaxPool.disjoint(w);
        Parallel.forRange(planes, planesPerChunk(in + out), (from, to) -> {
            for (int p = from; p < to; p++) {
                // Zeroed by the thread that scatters into it, right before: the plane is then in cache.
                Arrays.fill(dst, dstOffset + p * in, dstOffset + (p + 1) * in, 0f);
                if (disjoint) {
                    VectorMaxPool.planeBackward(out, grad, gradOffset + p * out, argmax, argmaxOffset + p * out,
                            dst, dstOffset + p * in);
                } else {
                    ScalarPooling.maxPlaneBackward(out, grad, gradOffset + p * out, argmax, argmaxOffset + p * out,
                            dst, dstOffset + p * in);
                }
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
