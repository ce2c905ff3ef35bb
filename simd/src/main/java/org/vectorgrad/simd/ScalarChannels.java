package org.vectorgrad.simd;

/**
 * The plain-loop reference of the per-channel kernels behind batch normalisation. Operands are
 * contiguous outer×channels×inner blocks (N×C×H·W): element (n, c, k) sits at
 * {@code offset + (n·channels + c)·inner + k}. Sums accumulate in double, channel by channel.
 */
final class ScalarChannels {
    private ScalarChannels() {
    }

    static void moments(int outer, int channels, int inner, float[] x, int xOffset, float[] mean, float[] variance) {
        double count = (double) outer * inner;
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int n = 0; n < outer; n++) {
                int row = xOffset + (n * channels + c) * inner;
                for (int k = 0; k < inner; k++) {
                    sum += x[row + k];
                }
            }
            double m = sum / count;
            double squares = 0;
            for (int n = 0; n < outer; n++) {
                int row = xOffset + (n * channels + c) * inner;
                for (int k = 0; k < inner; k++) {
                    double d = x[row + k] - m;
                    squares += d * d;
                }
            }
            mean[c] = (float) m;
            variance[c] = (float) (squares / count);
        }
    }

    static void affine(int outer, int channels, int inner, float[] x, int xOffset, float[] scale, float[] shift,
                       float[] dst, int dstOffset) {
        for (int n = 0; n < outer; n++) {
            for (int c = 0; c < channels; c++) {
                int row = (n * channels + c) * inner;
                for (int k = 0; k < inner; k++) {
                    dst[dstOffset + row + k] = Math.fma(x[xOffset + row + k], scale[c], shift[c]);
                }
            }
        }
    }

    static void gradSums(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x, int xOffset,
                         float[] centre, float[] sumGrad, float[] sumGradCentred) {
        for (int c = 0; c < channels; c++) {
            double g = 0;
            double gx = 0;
            for (int n = 0; n < outer; n++) {
                int row = (n * channels + c) * inner;
                for (int k = 0; k < inner; k++) {
                    float gk = grad[gradOffset + row + k];
                    g += gk;
                    gx += (double) gk * (x[xOffset + row + k] - centre[c]);
                }
            }
            sumGrad[c] = (float) g;
            sumGradCentred[c] = (float) gx;
        }
    }

    static void affine2(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x, int xOffset,
                        float[] gradScale, float[] xScale, float[] shift, float[] dst, int dstOffset) {
        for (int n = 0; n < outer; n++) {
            for (int c = 0; c < channels; c++) {
                int row = (n * channels + c) * inner;
                for (int k = 0; k < inner; k++) {
                    float xs = Math.fma(x[xOffset + row + k], xScale[c], shift[c]);
                    dst[dstOffset + row + k] = Math.fma(grad[gradOffset + row + k], gradScale[c], xs);
                }
            }
        }
    }
}
