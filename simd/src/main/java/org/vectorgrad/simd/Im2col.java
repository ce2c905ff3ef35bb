package org.vectorgrad.simd;

/**
 * The plain-loop reference of the convolution lowering: {@link #im2col} gathers every window of a
 * C×H×W image into the columns of a (C·kH·kW)×(outH·outW) matrix, so a convolution is one GEMM,
 * and {@link #col2im} scatters such a matrix back, adding where windows overlap (the adjoint).
 */
final class Im2col {
    private Im2col() {
    }

    static void im2col(Window2d w, int channels, float[] src, int srcOffset, int[] srcStrides,
                       float[] cols, int colsOffset, int colsRowStride) {
        int outH = w.outH();
        int outW = w.outW();
        int base = colsOffset;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < w.kernelH(); i++) {
                for (int j = 0; j < w.kernelW(); j++) {
                    for (int oh = 0; oh < outH; oh++) {
                        int h = oh * w.strideH() - w.padH() + i * w.dilationH();
                        for (int ow = 0; ow < outW; ow++) {
                            int x = ow * w.strideW() - w.padW() + j * w.dilationW();
                            boolean inside = h >= 0 && h < w.inH() && x >= 0 && x < w.inW();
                            cols[base + oh * outW + ow] = inside
                                    ? src[srcOffset + c * srcStrides[0] + h * srcStrides[1] + x * srcStrides[2]] : 0f;
                        }
                    }
                    base += colsRowStride;
                }
            }
        }
    }

    static void col2im(Window2d w, int channels, float[] cols, int colsOffset, int colsRowStride,
                       float[] dst, int dstOffset) {
        int outH = w.outH();
        int outW = w.outW();
        int base = colsOffset;
        for (int c = 0; c < channels; c++) {
            int plane = dstOffset + c * w.inPlane();
            for (int i = 0; i < w.kernelH(); i++) {
                for (int j = 0; j < w.kernelW(); j++) {
                    for (int oh = 0; oh < outH; oh++) {
                        int h = oh * w.strideH() - w.padH() + i * w.dilationH();
                        for (int ow = 0; ow < outW; ow++) {
                            int x = ow * w.strideW() - w.padW() + j * w.dilationW();
                            if (h >= 0 && h < w.inH() && x >= 0 && x < w.inW()) {
                                dst[plane + h * w.inW() + x] += cols[base + oh * outW + ow];
                            }
                        }
                    }
                    base += colsRowStride;
                }
            }
        }
    }

    /** The first output column whose window tap at column offset {@code tap} lands inside the row. */
    static int firstInside(Window2d w, int tapOffset) {
        int need = w.padW() - tapOffset; // ow·strideW ≥ padW − tapOffset
        return need <= 0 ? 0 : (need + w.strideW() - 1) / w.strideW();
    }

    /** One past the last output column whose tap at column offset {@code tap} lands inside the row. */
    static int endInside(Window2d w, int tapOffset, int outW) {
        int limit = w.inW() - 1 + w.padW() - tapOffset; // ow·strideW ≤ limit
        return limit < 0 ? 0 : Math.min(outW, limit / w.strideW() + 1);
    }
}
