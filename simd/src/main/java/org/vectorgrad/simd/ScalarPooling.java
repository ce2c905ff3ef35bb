package org.vectorgrad.simd;

/**
 * The plain-loop reference of 2-D pooling over {@code planes} independent planes (N·C of an
 * N×C×H×W tensor), following PyTorch 1.13's CPU kernels value for value: max pooling keeps the
 * first maximum in window order (a NaN replaces any number, a later NaN an earlier one) and
 * records its flat position h·inW + w in the plane; average pooling sums in float in window order
 * and divides by kH·kW (count_include_pad); adaptive average pooling divides the sum by the
 * window's height, then by its width. Sources are read as src[p·s0 + h·s1 + w·s1]; destinations
 * are contiguous planes. The per-plane methods are shared with {@link VectorPooling}.
 */
final class ScalarPooling {
    private ScalarPooling() {
    }

    static void maxPlane(Window2d w, float[] src, int at, int[] strides, float[] dst, int out, int[] argmax, int idx) {
        int outW = w.outW();
        for (int oh = 0; oh < w.outH(); oh++) {
            int h0 = oh * w.strideH() - w.padH();
            int h1 = Math.min(h0 + (w.kernelH() - 1) * w.dilationH() + 1, w.inH());
            while (h0 < 0) {
                h0 += w.dilationH();
            }
            for (int ow = 0; ow < outW; ow++) {
                int w0 = ow * w.strideW() - w.padW();
                int w1 = Math.min(w0 + (w.kernelW() - 1) * w.dilationW() + 1, w.inW());
                while (w0 < 0) {
                    w0 += w.dilationW();
                }
                int best = h0 * w.inW() + w0;
                float bestValue = Float.NEGATIVE_INFINITY;
                for (int h = h0; h < h1; h += w.dilationH()) {
                    for (int x = w0; x < w1; x += w.dilationW()) {
                        float v = src[at + h * strides[1] + x * strides[2]];
                        if (v > bestValue || v != v) {
                            bestValue = v;
                            best = h * w.inW() + x;
                        }
                    }
                }
                dst[out + oh * outW + ow] = bestValue;
                argmax[idx + oh * outW + ow] = best;
            }
        }
    }

    static void maxPlaneBackward(int outPlane, float[] grad, int g, int[] argmax, int idx, float[] dst, int in) {
        for (int o = 0; o < outPlane; o++) {
            dst[in + argmax[idx + o]] += grad[g + o];
        }
    }

    static void avgPlane(Window2d w, float[] src, int at, int[] strides, float[] dst, int out) {
        int outW = w.outW();
        float divisor = w.kernelH() * w.kernelW();
        for (int oh = 0; oh < w.outH(); oh++) {
            int h0 = Math.max(oh * w.strideH() - w.padH(), 0);
            int h1 = Math.min(oh * w.strideH() - w.padH() + w.kernelH(), w.inH());
            for (int ow = 0; ow < outW; ow++) {
                int w0 = Math.max(ow * w.strideW() - w.padW(), 0);
                int w1 = Math.min(ow * w.strideW() - w.padW() + w.kernelW(), w.inW());
                float sum = 0f;
                for (int h = h0; h < h1; h++) {
                    for (int x = w0; x < w1; x++) {
                        sum += src[at + h * strides[1] + x * strides[2]];
                    }
                }
                dst[out + oh * outW + ow] = sum / divisor;
            }
        }
    }

    static void avgPlaneBackward(Window2d w, float[] grad, int g, float[] dst, int in) {
        int outW = w.outW();
        float divisor = w.kernelH() * w.kernelW();
        for (int oh = 0; oh < w.outH(); oh++) {
            int h0 = Math.max(oh * w.strideH() - w.padH(), 0);
            int h1 = Math.min(oh * w.strideH() - w.padH() + w.kernelH(), w.inH());
            for (int ow = 0; ow < outW; ow++) {
                int w0 = Math.max(ow * w.strideW() - w.padW(), 0);
                int w1 = Math.min(ow * w.strideW() - w.padW() + w.kernelW(), w.inW());
                float share = grad[g + oh * outW + ow] / divisor;
                for (int h = h0; h < h1; h++) {
                    for (int x = w0; x < w1; x++) {
                        dst[in + h * w.inW() + x] += share;
                    }
                }
            }
        }
    }

    /** PyTorch's adaptive window bounds: [floor(o·in/out), ceil((o+1)·in/out)). */
    static int adaptiveStart(int o, int in, int out) {
        return (int) Math.floorDiv((long) o * in, out);
    }

    static int adaptiveEnd(int o, int in, int out) {
        return (int) -Math.floorDiv(-(long) (o + 1) * in, out);
    }

    static void adaptivePlane(int inH, int inW, int outH, int outW, float[] src, int at, int[] strides,
                              float[] dst, int out) {
        for (int oh = 0; oh < outH; oh++) {
            int h0 = adaptiveStart(oh, inH, outH);
            int h1 = adaptiveEnd(oh, inH, outH);
            for (int ow = 0; ow < outW; ow++) {
                int w0 = adaptiveStart(ow, inW, outW);
                int w1 = adaptiveEnd(ow, inW, outW);
                float sum = 0f;
                for (int h = h0; h < h1; h++) {
                    for (int x = w0; x < w1; x++) {
                        sum += src[at + h * strides[1] + x * strides[2]];
                    }
                }
                dst[out + oh * outW + ow] = sum / (h1 - h0) / (w1 - w0);
            }
        }
    }

    static void adaptivePlaneBackward(int inH, int inW, int outH, int outW, float[] grad, int g,
                                      float[] dst, int in) {
        for (int oh = 0; oh < outH; oh++) {
            int h0 = adaptiveStart(oh, inH, outH);
            int h1 = adaptiveEnd(oh, inH, outH);
            for (int ow = 0; ow < outW; ow++) {
                int w0 = adaptiveStart(ow, inW, outW);
                int w1 = adaptiveEnd(ow, inW, outW);
                float share = grad[g + oh * outW + ow] / (h1 - h0) / (w1 - w0);
                for (int h = h0; h < h1; h++) {
                    for (int x = w0; x < w1; x++) {
                        dst[in + h * inW + x] += share;
                    }
                }
            }
        }
    }
}
