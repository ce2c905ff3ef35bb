package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Maximum and first arg-maximum of lines, with PyTorch's semantics: NaN wins (its first index is
 * returned), ties go to the first index, and -0 does not beat +0 nor the reverse (whichever comes
 * first is kept). Max is exact, so scalar tails are fine here.
 */
final class VectorMax {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorMax() {
    }

    /** Index of the first maximum of a[base + t] for t &lt; length (length &gt; 0). */
    static int contiguousLine(float[] a, int base, int length) {
        float max = contiguousMax(a, base, length);
        return max != max ? firstNaN(a, base, length) : firstEqual(a, base, length, max);
    }

    /** max of a[base + t] for t &lt; length; -inf when empty. */
    static float contiguousMax(float[] a, int base, int length) {
        // Math.max semantics (NaN wins, +0 above -0) make the maximum independent of order.
        FloatVector best = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int t = 0;
        for (; t < SPECIES.loopBound(length); t += SPECIES.length()) {
            best = best.max(FloatVector.fromArray(SPECIES, a, base + t));
        }
        float max = best.reduceLanes(VectorOperators.MAX);
        // scalar tail
        for (; t < length; t++) {
            max = Math.max(max, a[base + t]);
        }
        return max;
    }

    private static int firstNaN(float[] a, int base, int length) {
        int t = 0;
        for (; t < SPECIES.loopBound(length); t += SPECIES.length()) {
            VectorMask<Float> hit = FloatVector.fromArray(SPECIES, a, base + t).test(VectorOperators.IS_NAN);
            if (hit.anyTrue()) {
                return t + hit.firstTrue();
            }
        }
        // scalar tail
        while (a[base + t] == a[base + t]) {
            t++;
        }
        return t;
    }

    // x == max also matches -0 against +0: the first of the two is the reference's answer.
    private static int firstEqual(float[] a, int base, int length, float max) {
        int t = 0;
        for (; t < SPECIES.loopBound(length); t += SPECIES.length()) {
            VectorMask<Float> hit = FloatVector.fromArray(SPECIES, a, base + t).eq(max);
            if (hit.anyTrue()) {
                return t + hit.firstTrue();
            }
        }
        // scalar tail
        while (a[base + t] != max) {
            t++;
        }
        return t;
    }

    /** Index of the first maximum of a[base + t * step] for t &lt; length (length &gt; 0). */
    static int stridedLine(float[] a, int base, int step, int length) {
        int best = 0;
        float bestValue = a[base];
        for (int t = 1; t < length && bestValue == bestValue; t++) {
            float x = a[base + t * step];
            if (x > bestValue || x != x) {
                best = t;
                bestValue = x;
            }
        }
        return best;
    }

    /**
     * Maxima of the lines starting at a[base + j] (lines' elements {@code step} apart) for j in
     * whole vectors below n, vectorised across lines; returns how many lines it did.
     */
    static int across(float[] a, int base, int step, int length, float[] values, int valuesAt,
                      float[] indices, int indicesAt, int n) {
        int j = 0;
        for (; j < SPECIES.loopBound(n); j += SPECIES.length()) {
            FloatVector best = FloatVector.fromArray(SPECIES, a, base + j);
            FloatVector at = FloatVector.zero(SPECIES);
            for (int t = 1; t < length; t++) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, base + t * step + j);
                // x wins when greater, or when it is the first NaN of its lane
                VectorMask<Float> wins = x.compare(VectorOperators.GT, best)
                        .or(x.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                best = best.blend(x, wins);
                at = at.blend((float) t, wins);
            }
            best.intoArray(values, valuesAt + j);
            if (indices != null) {
                at.intoArray(indices, indicesAt + j);
            }
        }
        return j;
    }
}
