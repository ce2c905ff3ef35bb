package org.vectorgrad.nn;

import static org.vectorgrad.nn.Ops.K;

import org.vectorgrad.simd.Window2d;

/**
 * Implicit GEMM for a stride-1 convolution: the image is copied once into zero-padded planes,
 * and the GEMM reads each im2col row as a shifted window of a plane, so the C·kH·kW-row column
 * matrix (9x the image for a 3x3 kernel) is never built. The forward pass and the input gradient
 * (a convolution of the output gradient) use it; the weight gradient still lowers through im2col,
 * whose packed A slivers it measured no faster to gather from here.
 *
 * <p>A padded plane has {@code inH + 2·padH} rows of {@code rowWidth = padW + inW} elements: each
 * row starts with padW zeros, which are also the right padding of the row before. The product is
 * computed on an outH × rowWidth grid, where grid position y·rowWidth + x reads tap (i, j) at
 * {@code (y + i·dilationH)·rowWidth + x + j·dilationW}: the row table holds those shifts. Grid
 * columns x ≥ outW (rowWidth − outW = (kW−1)·dilationW − padW of them) are computed and dropped.
 * Each plane ends with (kW−1)·dilationW spare zeros so that no read leaves its plane. Only the
 * image's own elements are ever written, so a buffer's padding stays zero while it is reused.
 */
final class ShiftedWindows {
    private final Window2d window;
    private final int channels;
    private final int rowWidth;
    private final int plane;
    private final int[] rows;

    ShiftedWindows(Window2d window, int channels) {
        this.window = window;
        this.channels = channels;
        this.rowWidth = window.padW() + window.inW();
        int spare = (window.kernelW() - 1) * window.dilationW();
        this.plane = (window.inH() + 2 * window.padH()) * rowWidth + spare;
        this.rows = new int[channels * window.taps()];
        for (int c = 0, r = 0; c < channels; c++) {
            for (int i = 0; i < window.kernelH(); i++) {
                for (int j = 0; j < window.kernelW(); j++) {
                    rows[r++] = c * plane + i * window.dilationH() * rowWidth + j * window.dilationW();
                }
            }
        }
    }

    /**
     * True when the layout represents the window: stride 1, and each side's padding at most the
     * kernel's reach (so the grid is at least outW wide and one shared padding column suffices).
     */
    static boolean fits(Window2d w) {
        return w.strideH() == 1 && w.strideW() == 1
                && w.padH() <= (w.kernelH() - 1) * w.dilationH() && w.padW() <= (w.kernelW() - 1) * w.dilationW();
    }

    /** One image's padded planes, all zero. */
    float[] newPadded() {
        return new float[channels * plane];
    }

    /** Columns of the product: outH · rowWidth grid positions. */
    int columns() {
        return window.outH() * rowWidth;
    }

    /** The row table: im2col row (c·kH + i)·kW + j starts at padded[rows[r]]. */
    int[] rows() {
        return rows;
    }

    /** A new product grid of {@code count} rows. */
    float[] newGrid(int count) {
        return new float[count * columns()];
    }

    /** Copies one C×inH×inW image (read through channel, row and column strides) into the padded planes. */
    void pad(float[] src, int srcOffset, int[] imageStrides, float[] padded) {
        K.copy(new int[] {channels, window.inH(), window.inW()}, src, srcOffset, imageStrides, padded,
                window.padH() * rowWidth + window.padW(), new int[] {plane, rowWidth, 1});
    }

    /** Writes the outW real columns of a {@code count}-row product grid into count contiguous outH×outW planes. */
    void compact(int count, float[] grid, float[] dst, int dstOffset) {
        int outW = window.outW();
        K.copy(new int[] {count, window.outH(), outW}, grid, 0, new int[] {columns(), rowWidth, 1}, dst, dstOffset,
                new int[] {window.outPlane(), outW, 1});
    }
}
