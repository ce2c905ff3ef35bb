package org.vectorgrad.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast convolution lowering. Each (channel, tap, output row) is one row of the column matrix:
 * its in-bounds run is found once, padding is filled with zeros around it, and the run is a
 * {@code System.arraycopy} when the input row is contiguous and the stride is 1 (the common case),
 * a strided gather otherwise. col2im adds runs back with vector adds (stride 1; a strided window
 * takes the reference's own loop); every element receives its contributions in the reference's
 * order, so both are bit-identical to {@link Im2col}. Stride-1 "same" windows (a row is the plane shifted) and short, strided or
 * strided-source rows go to {@link Im2colGather} instead, and large stride-2 windows to
 * {@link Im2colPhases}.
 */
final class VectorIm2col {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorIm2col() {
    }

    static void im2col(Window2d w, int channels, float[] src, int srcOffset, int[] srcStrides,
                       float[] cols, int colsOffset, int colsRowStride) {
        if (Im2colGather.shifts(w, srcStrides[1], srcStrides[2])) {
            Im2colGather.im2colShifted(w, channels, src, srcOffset, srcStrides, cols, colsOffset, colsRowStride);
            return;
        }
        if (Im2colPhases.suits(w, srcStrides[2])) {
            Im2colPhases.im2col(w, channels, src, srcOffset, srcStrides, cols, colsOffset, colsRowStride);
            return;
        }
        if (Im2colGather.suits(w, srcStrides[2])) {
            Im2colGather.im2col(w, channels, src, srcOffset, srcStrides, cols, colsOffset, colsRowStride);
            return;
        }
        int outH = w.outH();
        int outW = w.outW();
        int rowStep = srcStrides[1];
        int colStep = srcStrides[2];
        int base = colsOffset;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < w.kernelH(); i++) {
                for (int j = 0; j < w.kernelW(); j++) {
                    int tap = j * w.dilationW();
                    int lo = Im2col.firstInside(w, tap);
                    int hi = Math.max(lo, Im2col.endInside(w, tap, outW));
                    for (int oh = 0; oh < outH; oh++) {
                        int h = oh * w.strideH() - w.padH() + i * w.dilationH();
                        int row = base + oh * outW;
                        if (h < 0 || h >= w.inH() || lo == hi) {
                            Arrays.fill(cols, row, row + outW, 0f);
                            continue;
                        }
                        Arrays.fill(cols, row, row + lo, 0f);
                        Arrays.fill(cols, row + hi, row + outW, 0f);
                        int from = srcOffset + c * srcStrides[0] + h * rowStep + (lo * w.strideW() - w.padW() + tap) * colStep;
                        gatherRun(src, from, colStep * w.strideW(), cols, row + lo, hi - lo);
                    }
                    base += colsRowStride;
                }
            }
        }
    }

    private static void gatherRun(float[] src, int from, int step, float[] dst, int to, int n) {
        if (step == 1) {
            System.arraycopy(src, from, dst, to, n);
            return;
        }
        for (int k = 0; k < n; k++) {
            dst[to + k] = src[from + k * step];
        }
    }

    static void col2im(Window2d w, int channels, float[] cols, int colsOffset, int colsRowStride,
                       float[] dst, int dstOffset) {
        if (Im2colGather.shifts(w, w.inW(), 1)) {
            Im2colGather.col2imShifted(w, channels, cols, colsOffset, colsRowStride, dst, dstOffset);
            return;
        }
        if (w.strideH() != 1 || w.strideW() != 1) {
            // The plain loop of the reference: each input element takes a quarter of the taps,
            // which vector gathers (9 per 16 positions) paid for in full. Stride-2 3x3 col2im of
            // 16 images, the two alternating in one JVM: 64 channels of 32x32 5,510-5,707 µs
            // through gathers against 2,451-2,606 here, 16x16 1,188-1,279 against 685-778, 8x8
            // 631-678 against 432-441, 4x4 339-388 against 307-389.
            Im2col.col2im(w, channels, cols, colsOffset, colsRowStride, dst, dstOffset);
            return;
        }
        if (Im2colGather.suits(w, 1)) {
            Im2colGather.col2im(w, channels, cols, colsOffset, colsRowStride, dst, dstOffset);
            return;
        }
        int outH = w.outH();
        int outW = w.outW();
        int base = colsOffset;
        for (int c = 0; c < channels; c++) {
            int plane = dstOffset + c * w.inPlane();
            for (int i = 0; i < w.kernelH(); i++) {
                for (int j = 0; j < w.kernelW(); j++) {
                    int tap = j * w.dilationW();
                    int lo = Im2col.firstInside(w, tap);
                    int hi = Im2col.endInside(w, tap, outW);
                    for (int oh = 0; oh < outH && lo < hi; oh++) {
                        int h = oh - w.padH() + i * w.dilationH();
                        if (h >= 0 && h < w.inH()) {
                            addRun(cols, base + oh * outW + lo, dst, plane + h * w.inW() + lo - w.padW() + tap, hi - lo);
                        }
                    }
                    base += colsRowStride;
                }
            }
        }
    }

    private static void addRun(float[] src, int from, float[] dst, int to, int n) {
        int k = 0;
        for (int bound = SPECIES.loopBound(n); k < bound; k += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, dst, to + k).add(FloatVector.fromArray(SPECIES, src, from + k))
                    .intoArray(dst, to + k);
        }
        // scalar tail
        for (; k < n; k++) {
            dst[to + k] += src[from + k];
        }
    }
}
