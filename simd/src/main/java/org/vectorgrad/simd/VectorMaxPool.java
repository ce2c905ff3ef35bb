package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling of one contiguous plane, a vector of consecutive outputs at a time: a tap map lists,
 * for every window tap t and output o, the plane position that tap reads, so each tap is one
 * gather and one compare-and-blend of the running maximum and its position. Consecutive outputs
 * cross row ends freely, so planes narrower than a vector (14×14, 7×7) still fill whole vectors.
 *
 * <p>NOTE: the result equals {@link ScalarPooling#maxPlane} bit for bit, arg-max included. Taps
 * outside the plane (padding) are mapped to the last in-plane tap before them in window order (to
 * the first in-plane tap for leading ones): re-reading a tap just taken changes neither the
 * maximum nor its position, even when it is NaN (which would win again, with the same position).
 */
final class VectorMaxPool {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    /** The largest tap map (ints) worth building; larger planes take the scalar routine. */
    static final int MAX_MAP = 1 << 20;

    private VectorMaxPool() {
    }

    /** map[t·outPlane + o]: the position h·inW + w in the plane that window tap t of output o reads. */
    static int[] tapMap(Window2d w) {
        int outPlane = w.outPlane();
        int[] map = new int[w.taps() * outPlane];
        for (int oh = 0; oh < w.outH(); oh++) {
            for (int ow = 0; ow < w.outW(); ow++) {
                mapWindow(w, oh, ow, map, oh * w.outW() + ow, outPlane);
            }
        }
        return map;
    }

    private static void mapWindow(Window2d w, int oh, int ow, int[] map, int o, int outPlane) {
        int last = firstInPlane(w, oh, ow);
        for (int i = 0; i < w.kernelH(); i++) {
            int h = oh * w.strideH() - w.padH() + i * w.dilationH();
            for (int j = 0; j < w.kernelW(); j++) {
                int x = ow * w.strideW() - w.padW() + j * w.dilationW();
                if (h >= 0 && h < w.inH() && x >= 0 && x < w.inW()) {
                    last = h * w.inW() + x;
                }
                map[(i * w.kernelW() + j) * outPlane + o] = last;
            }
        }
    }

    /** The window's first in-plane tap (PyTorch's padding ≤ kernel/2 guarantees one). */
    private static int firstInPlane(Window2d w, int oh, int ow) {
        int h = oh * w.strideH() - w.padH();
        while (h < 0) {
            h += w.dilationH();
        }
        int x = ow * w.strideW() - w.padW();
        while (x < 0) {
            x += w.dilationW();
        }
        return h * w.inW() + x;
    }

    /**
     * True for planes with contiguous rows whose tap map stays small (4 MB: the whole map is
     * built per call, so a huge plane would allocate more map than it has data).
     */
    static boolean fits(Window2d w, int[] srcStrides) {
        return srcStrides[1] == w.inW() && srcStrides[2] == 1 && INTS.length() == FLOATS.length()
                && (long) w.taps() * w.outPlane() <= MAX_MAP;
    }

    /** One plane at src[at..] into dst[out..] and argmax[idx..], with map from {@link #tapMap}. */
    static void plane(Window2d w, int[] map, float[] src, int at, float[] dst, int out, int[] argmax, int idx) {
        int outPlane = w.outPlane();
        int taps = w.taps();
        int o = 0;
        for (int bound = FLOATS.loopBound(outPlane); o < bound; o += FLOATS.length()) {
            FloatVector best = FloatVector.fromArray(FLOATS, src, at, map, o);
            IntVector position = IntVector.fromArray(INTS, map, o);
            for (int t = 1; t < taps; t++) {
                int m = t * outPlane + o;
                FloatVector v = FloatVector.fromArray(FLOATS, src, at, map, m);
                VectorMask<Float> take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
                best = best.blend(v, take);
                position = position.blend(IntVector.fromArray(INTS, map, m), take.cast(INTS));
            }
            best.intoArray(dst, out + o);
            position.intoArray(argmax, idx + o);
        }
        // scalar tail: the same comparisons through the same map
        for (; o < outPlane; o++) {
            float best = src[at + map[o]];
            int position = map[o];
            for (int t = 1; t < taps; t++) {
                int p = map[t * outPlane + o];
                float v = src[at + p];
                if (v > best || v != v) {
                    best = v;
                    position = p;
                }
            }
            dst[out + o] = best;
            argmax[idx + o] = position;
        }
    }

    /** True when no two windows share an input position, so the outputs of a plane scatter to distinct places. */
    static boolean disjoint(Window2d w) {
        return w.strideH() >= (w.kernelH() - 1) * w.dilationH() + 1
                && w.strideW() >= (w.kernelW() - 1) * w.dilationW() + 1 && INTS.length() == FLOATS.length();
    }

    /**
     * dst[in + argmax[idx + o]] += grad[g + o] for one plane of disjoint windows: a vector of
     * outputs never names one position twice, so a gather, an add and a scatter do in one step
     * what the reference does one output at a time (each position receives at most one addend).
     */
    static void planeBackward(int outPlane, float[] grad, int g, int[] argmax, int idx, float[] dst, int in) {
        int o = 0;
        for (int bound = FLOATS.loopBound(outPlane); o < bound; o += FLOATS.length()) {
            FloatVector.fromArray(FLOATS, dst, in, argmax, idx + o).add(FloatVector.fromArray(FLOATS, grad, g + o))
                    .intoArray(dst, in, argmax, idx + o);
        }
        // scalar tail
        for (; o < outPlane; o++) {
            dst[in + argmax[idx + o]] += grad[g + o];
        }
    }
}
