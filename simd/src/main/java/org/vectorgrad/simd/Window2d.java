package org.vectorgrad.simd;

/**
 * The geometry of a 2-D sliding window (convolution or pooling) over one {@code inH × inW} plane:
 * output position (oh, ow) with window offset (i, j) reads input row
 * {@code oh·strideH − padH + i·dilationH} and column {@code ow·strideW − padW + j·dilationW};
 * positions outside the plane are padding. Callers validate the sizes (see {@link #outH()}).
 */
public record Window2d(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                       int padH, int padW, int dilationH, int dilationW) {

    /** A square window with the same stride, padding and dilation along both axes. */
    public static Window2d square(int inH, int inW, int kernel, int stride, int padding, int dilation) {
        return new Window2d(inH, inW, kernel, kernel, stride, stride, padding, padding, dilation, dilation);
    }

    /** Output rows: (inH + 2·padH − dilationH·(kernelH − 1) − 1) / strideH + 1 (floor, may be ≤ 0). */
    public int outH() {
        return Math.floorDiv(inH + 2 * padH - dilationH * (kernelH - 1) - 1, strideH) + 1;
    }

    /** Output columns, as {@link #outH()}. */
    public int outW() {
        return Math.floorDiv(inW + 2 * padW - dilationW * (kernelW - 1) - 1, strideW) + 1;
    }

    /** inH · inW. */
    public int inPlane() {
        return inH * inW;
    }

    /** outH · outW. */
    public int outPlane() {
        return outH() * outW();
    }

    /** kernelH · kernelW: rows of the im2col matrix per channel. */
    public int taps() {
        return kernelH * kernelW;
    }
}
