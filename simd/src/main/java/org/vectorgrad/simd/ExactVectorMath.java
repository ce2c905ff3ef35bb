package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x and ln x for float vectors from IEEE-exact operations only (add, multiply, FMA, min/max, integer
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
final class ExactVectorMath {
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

    private ExactVectorMath() {
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

    private static final float SQRT_HALF = 0.70710678118654752440f;
    private static final float TWO_TO_23 = 8388608f;
    private static final float[] LOG_POLY = {7.0376836292e-2f, -1.1514610310e-1f, 1.1676998740e-1f,
        -1.2420140846e-1f, 1.4249322787e-1f, -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f,
        3.3333331174e-1f};

    /**
     * ln x lane by lane, by the same rule as {@link #exp}: exact operations only. x = m·2^e with m
     * in [√½, √2), ln x = e·ln 2 + ln m with ln(1 + f) = f − f²/2 + f³·P(f), P degree 8 (Cephes
     * logf); subnormal x is scaled by 2^23 first. Special values as {@code Math.log}.
     */
    static FloatVector log(FloatVector x) {
        // NOTE: kept under C2's FreqInlineSize (325 bytecodes): at 347 it was never inlined, so
        // every call boxed its argument and result (GB/s of garbage for a 1M-element log).
        VectorMask<Float> subnormal = x.compare(VectorOperators.LT, Float.MIN_NORMAL)
                .and(x.compare(VectorOperators.GT, 0f));
        IntVector bits = x.mul(TWO_TO_23, subnormal).reinterpretAsInts();
        IntVector exponent = bits.lanewise(VectorOperators.LSHR, 23).and(0xFF).sub(126);
        FloatVector m = bits.and(0x807FFFFF).or(0x3F000000).reinterpretAsFloats();
        VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
        FloatVector e = ((FloatVector) exponent.convert(VectorOperators.I2F, 0)).sub(1f, low).sub(23f, subnormal);
        FloatVector f = m.add(m, low).sub(1f);
        FloatVector z = f.mul(f);
        FloatVector p = FloatVector.broadcast(SPECIES, LOG_POLY[0]);
        for (int i = 1; i < LOG_POLY.length; i++) {
            p = p.lanewise(VectorOperators.FMA, f, LOG_POLY[i]);
        }
        FloatVector y = p.mul(f).mul(z);
        y = e.lanewise(VectorOperators.FMA, LN2_LO, y);
        y = z.lanewise(VectorOperators.FMA, -0.5f, y);
        FloatVector result = e.lanewise(VectorOperators.FMA, LN2_HI, f.add(y));
        result = result.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        result = result.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
        result = result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
        return result.blend(x, x.test(VectorOperators.IS_NAN));
    }
}
