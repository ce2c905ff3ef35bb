package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * im2col for stride-2 windows without gathers: each channel plane is first split into its four
 * phases (even/odd rows × even/odd columns), each laid out with the output's row width. A window
 * tap (i, j) then reads one phase shifted by a constant, like a stride-1 window reads its plane
 * ({@link Im2colGather#im2colShifted}): a row of the column matrix is masked contiguous loads.
 * Gathering those rows was a third of a ResNet-18 stem's forward pass (7×7, stride 2).
 *
 * <p>Tap (i, j) of output (oy, ox) reads input (2oy + a, 2ox + b), a = i − padH, b = j − padW:
 * phase (a mod 2, b mod 2) at (oy + ⌊a/2⌋, ox + ⌊b/2⌋). A phase row of outW elements holds
 * every input column of its parity when ⌈inW/2⌉ ≤ outW ({@link #suits}); positions outside the
 * input are masked off by the window's tap masks, so the copy is exact and the phases need no
 * zeroing.
 */
final class Im2colPhases {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Fewest window taps for which splitting a plane into phases beats gathering its rows. */
    static final int MIN_TAPS = 16;
    private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[0]);

    private Im2colPhases() {
    }

    /**
     * Stride 2, no dilation, contiguous source columns, output rows as long as a phase's, and at
     * least {@link #MIN_TAPS} taps: the split writes the whole plane once, which pays when many
     * taps read it. Against the gathers, 2 threads, batch 16: 7×7 (the stem) 1.35× forward and
     * 1.33× weight gradient, 5×5 1.34× and 1.32×, 3×3 0.97-1.02×, 1×1 0.44×.
     */
    static boolean suits(Window2d w, int colStep) {
        return w.strideH() == 2 && w.strideW() == 2 && w.dilationH() == 1 && w.dilationW() == 1 && colStep == 1
                && (w.inW() + 1) / 2 <= w.outW() && w.taps() >= MIN_TAPS;
    }

    static void im2col(Window2d w, int channels, float[] src, int srcOffset, int[] srcStrides,
                       float[] cols, int colsOffset, int colsRowStride) {
        int outW = w.outW();
        int length = w.outPlane();
        int plane = (w.inH() + 1) / 2 * outW;
        int[] shifts = new int[w.taps()];
        int[] phaseOf = new int[w.taps()];
        int reach = 0;
        for (int t = 0; t < w.taps(); t++) {
            int a = t / w.kernelW() - w.padH();
            int b = t % w.kernelW() - w.padW();
            shifts[t] = Math.floorDiv(a, 2) * outW + Math.floorDiv(b, 2);
            phaseOf[t] = 2 * Math.floorMod(a, 2) + Math.floorMod(b, 2);
            reach = Math.max(reach, Math.abs(shifts[t]));
        }
        // Every lane of every masked load stays inside the buffer, masked-off ones included: a
        // load whose vector leaves its array takes the Vector API's slow path.
        int front = reach + L;
        float[] phases = buffer(front + 4 * plane + reach + length + 2 * L);
        boolean[][] inside = Im2colGather.insideMasks(w, srcStrides[1]);
        int row = colsOffset;
        for (int c = 0; c < channels; c++) {
            split(w, src, srcOffset + c * srcStrides[0], srcStrides[1], phases, front, plane);
            for (int t = 0; t < w.taps(); t++) {
                Im2colGather.shiftedRow(phases, front + phaseOf[t] * plane + shifts[t], inside[t], cols, row, length);
                row += colsRowStride;
            }
        }
    }

    // phases[front + (2·(h mod 2) + (x mod 2))·plane + ⌊h/2⌋·outW + ⌊x/2⌋] = plane[h][x].
    private static void split(Window2d w, float[] src, int at, int rowStride, float[] phases, int front, int plane) {
        int outW = w.outW();
        int inW = w.inW();
        for (int h = 0; h < w.inH(); h++) {
            int even = front + 2 * (h & 1) * plane + (h >> 1) * outW;
            int odd = even + plane;
            int from = at + h * rowStride;
            for (int x = 0; 2 * x < inW; x++) {
                phases[even + x] = src[from + 2 * x];
            }
            for (int x = 0; 2 * x + 1 < inW; x++) {
                phases[odd + x] = src[from + 2 * x + 1];
            }
        }
    }

    // This thread's phase buffer, grown on demand and kept: one channel's phases.
    private static float[] buffer(int size) {
        float[] buffer = BUFFER.get();
        if (buffer.length < size) {
            buffer = new float[size];
            BUFFER.set(buffer);
        }
        return buffer;
    }
}
