package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class ExactVectorMathTest {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private static float[] apply(UnaryOperator<FloatVector> function, float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += L) {
            function.apply(FloatVector.fromArray(SPECIES, x, i)).intoArray(out, i);
        }
        return out;
    }

    private static float[] exp(float[] x) {
        return apply(ExactVectorMath::exp, x);
    }

    private static float[] log(float[] x) {
        return apply(ExactVectorMath::log, x);
    }

    /** The first (likely interpreted) call must give the bits of the C2-compiled loop. */
    private static void assertColdEqualsWarm(UnaryOperator<FloatVector> function, float[] x) {
        float[] cold = apply(function, x);
        float[] warm = null;
        for (int round = 0; round < 20_000; round++) {
            warm = apply(function, x);
        }
        assertArrayEquals(cold, warm);
    }

    /** Every 61st float bit pattern between -110 and 95 (about 3.6M inputs) against Math.exp. */
    @Test
    void withinTwoUlpOfTheCorrectlyRoundedResultOverTheWholeRange() {
        float[] x = new float[L * 4096];
        int filled = 0;
        double worst = 0;
        float worstAt = 0;
        for (float v : new float[] {-110f, 95f}) {
            int from = Float.floatToRawIntBits(v < 0 ? -0f : 0f);
            int to = Float.floatToRawIntBits(v);
            for (int bits = from; bits <= to; bits += 61) {
                x[filled++] = Float.intBitsToFloat(bits);
                if (filled == x.length || bits + 61 > to) {
                    float[] y = exp(x);
                    for (int i = 0; i < filled; i++) {
                        double exact = Math.exp(x[i]);
                        double ulp = Math.max(Math.ulp((float) exact), Float.MIN_VALUE);
                        double error = Float.isInfinite((float) exact)
                                ? (y[i] == Float.POSITIVE_INFINITY ? 0 : Double.POSITIVE_INFINITY)
                                : Math.abs(y[i] - exact) / ulp;
                        if (!(error <= worst)) {
                            worst = error;
                            worstAt = x[i];
                        }
                    }
                    filled = 0;
                }
            }
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulp at x = " + worstAt);
    }

    @Test
    void specialValues() {
        float[] x = new float[L * ((8 + L - 1) / L)];
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 89f, -104f, 1f};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] y = exp(x);
        assertTrue(Float.isNaN(y[0]));
        assertEquals(Float.POSITIVE_INFINITY, y[1]);
        assertEquals(0f, y[2]);
        assertEquals(1f, y[3]);
        assertEquals(1f, y[4]);
        assertEquals(Float.POSITIVE_INFINITY, y[5]);
        assertEquals(0f, y[6]);
        assertEquals((float) Math.E, y[7], Math.ulp((float) Math.E));
    }

    /** The point of the routine: the first (interpreted) call gives C2's bits. */
    @Test
    void coldAndCompiledCallsAgreeBitForBit() {
        float[] x = new float[L * 64];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (random.nextFloat() - 0.5f) * 180f;
        }
        assertColdEqualsWarm(ExactVectorMath::exp, x);
    }

    /** Every 61st positive float bit pattern (subnormals to the largest float) against Math.log. */
    @Test
    void logWithinTwoUlpOverEveryPositiveFloat() {
        float[] x = new float[L * 4096];
        int filled = 0;
        double worst = 0;
        float worstAt = 0;
        int last = Float.floatToRawIntBits(Float.MAX_VALUE);
        for (int bits = 1; bits > 0 && bits <= last; bits += 61) {
            x[filled++] = Float.intBitsToFloat(bits);
            if (filled == x.length || bits > last - 61) {
                float[] y = log(x);
                for (int i = 0; i < filled; i++) {
                    double exact = Math.log(x[i]);
                    double error = Math.abs(y[i] - exact) / Math.ulp((float) exact);
                    if (!(error <= worst)) {
                        worst = error;
                        worstAt = x[i];
                    }
                }
                filled = 0;
            }
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulp at x = " + worstAt);
    }

    @Test
    void logSpecialValues() {
        float[] x = new float[L * ((8 + L - 1) / L)];
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, -1f, 1f,
            Float.MIN_VALUE};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] y = log(x);
        assertTrue(Float.isNaN(y[0]));
        assertEquals(Float.POSITIVE_INFINITY, y[1]);
        assertTrue(Float.isNaN(y[2]));
        assertEquals(Float.NEGATIVE_INFINITY, y[3]);
        assertEquals(Float.NEGATIVE_INFINITY, y[4]);
        assertTrue(Float.isNaN(y[5]));
        assertEquals(0f, y[6]);
        assertEquals((float) Math.log(Float.MIN_VALUE), y[7], Math.ulp(y[7]));
    }

    @Test
    void logColdAndCompiledCallsAgreeBitForBit() {
        float[] x = new float[L * 64];
        java.util.Random random = new java.util.Random(8);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.exp((random.nextFloat() - 0.5f) * 170f);
        }
        assertColdEqualsWarm(ExactVectorMath::log, x);
    }
}
