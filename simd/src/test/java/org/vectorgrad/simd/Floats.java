package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

/** Float comparisons for kernel tests. */
final class Floats {
    /** Written into destinations before a kernel runs: must still be there outside its range. */
    static final float SENTINEL = -12345.678f;

    private Floats() {
    }

    /** Distance in units in the last place; 0 for two NaNs, MAX_VALUE for NaN against a number. */
    static long ulps(float x, float y) {
        if (x != x || y != y) {
            return x != x && y != y ? 0 : Long.MAX_VALUE;
        }
        return Math.abs(ordered(x) - ordered(y));
    }

    // Maps floats to integers in the same order, adjacent floats to adjacent integers, ±0 to 0.
    private static long ordered(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits < 0 ? (long) Integer.MIN_VALUE - bits : bits;
    }

    /** Bit-identical, except that any NaN equals any NaN (payloads are not specified). */
    static boolean same(float x, float y) {
        return x != x ? y != y : Float.floatToRawIntBits(x) == Float.floatToRawIntBits(y);
    }

    /** A destination array of {@code length} floats, all {@link #SENTINEL}. */
    static float[] sentinels(int length) {
        float[] array = new float[length];
        Arrays.fill(array, SENTINEL);
        return array;
    }

    /** Every element within {@code maxUlps} of the expected one ({@code maxUlps == 0}: same bits). */
    static void assertClose(float[] expected, float[] actual, long maxUlps, String context) {
        if (expected.length != actual.length) {
            fail(context + ": length " + actual.length + " != " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            boolean ok = maxUlps == 0 ? same(expected[i], actual[i]) : ulps(expected[i], actual[i]) <= maxUlps;
            if (!ok) {
                fail(context + ": at " + i + " expected " + expected[i] + " but was " + actual[i]
                        + " (" + ulps(expected[i], actual[i]) + " ulp, allowed " + maxUlps + ")");
            }
        }
    }

    /** Everything outside [from, from + count) still holds the sentinel. */
    static void assertUntouched(float[] array, int from, int count, String context) {
        for (int i = 0; i < array.length; i++) {
            if ((i < from || i >= from + count) && !same(array[i], SENTINEL)) {
                fail(context + ": wrote " + array[i] + " at " + i + " outside [" + from + ", "
                        + (from + count) + ")");
            }
        }
    }
}
