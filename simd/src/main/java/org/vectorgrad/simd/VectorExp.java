package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x for a float vector from IEEE-exact operations only (add, multiply, FMA, min/max, integer
 * shifts), so the result is the same in the interpreter, C1 and C2.
 *
 * <p>NOTE: why not {@code lanewise(VectorOperators.EXP)}: C2 compiles it to SVML, but until a loop
 * is compiled the Vector API evaluates it lane by lane with {@code Math.exp}, which differs from
 * SVML in the last bit for some inputs. A training run's numbers then depended on when the JIT
 * compiled the softmax: two runs with the same seed diverged. This routine is within 2 ulp of
 * the correctly rounded result (a test sweeps the range against {@code Math.exp}).
 *
 * <p>Method: n = round(x·log2 e) with the 1.5·2^23 shifter, r = x − n·ln 2 in two FMA steps
 * (Cody–Waite), e^r = 1 + r + r²·P(r) with P degree 5 (minimax on [−ln2/2, ln2/2]), and the
 * scale 2^n applied as two halves so results that are subnormal or overflow round once.
 */
final class VectorExp {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float SHIFTER = 12582912f; // 1.5 * 2^23: adding it rounds to an integer
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    // NOTE: beyond these, e^x is +inf or rounds to 0; clamping keeps n inside the two-halves scale.
    private static final float MAX_INPUT = 89f;
    private static final float MIN_INPUT = -104f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private VectorExp() {
    }

    /** e^x lane by lane (NaN stays NaN, +inf gives +inf, -inf gives 0). */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(MIN_INPUT).min(MAX_INPUT);
        FloatVector shifted = clamped.lanewise(VectorOperators.FMA, LOG2E, SHIFTER);
        FloatVector n = shifted.sub(SHIFTER);
        FloatVector r = n.lanewise(VectorOperators.FMA, -LN2_HI, clamped);
        r = n.lanewise(VectorOperators.FMA, -LN2_LO, r);
        FloatVector p = r.lanewise(VectorOperators.FMA, P0, P1);
        p = p.lanewise(VectorOperators.FMA, r, P2);
        p = p.lanewise(VectorOperators.FMA, r, P3);
        p = p.lanewise(VectorOperators.FMA, r, P4);
        p = p.lanewise(VectorOperators.FMA, r, P5);
        FloatVector er = p.lanewise(VectorOperators.FMA, r.mul(r), r).add(1f);
        // n sits in the low mantissa bits of the shifted value: its integer bits minus the shifter's.
        IntVector k = shifted.reinterpretAsInts().sub(Float.floatToRawIntBits(SHIFTER));
        IntVector half = k.lanewise(VectorOperators.ASHR, 1);
        FloatVector scaleA = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scaleB = k.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector result = er.mul(scaleA).mul(scaleB);
        // NaN would otherwise come out as a number: the clamp's max/min pass it on but the integer
        // path does not.
        return result.blend(x, x.test(VectorOperators.IS_NAN));
    }
}
