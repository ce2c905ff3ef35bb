package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector loops for {@link BinaryOp#POW} with a broadcast exponent that {@code BinaryOp.pow}
 * computes exactly (2, 3, 0.5, -0.5, -1, -2), checked once per row; every other case runs the
 * reference's own {@code BinaryOp.pow} per element, so POW is bit-identical to the reference.
 *
 * <p>NOTE: the general case deliberately does not use {@code VectorOperators.POW}. On JDK 25 the
 * SVML pow that C2 calls (1) follows C99 where Java does not (pow(1, NaN) and pow(-1, ±inf) are 1
 * instead of NaN), (2) differs by an ulp on about 0.4% of inputs from the Math.pow fallback that
 * the interpreter and C1 run, and (3) was measured to differ between a masked tail and a full
 * vector computing the same lanes. So an element's value would depend on its position in the
 * row and on the JIT's state, which the kernels must not allow. (On AVX2 JDK 25 has no SVML pow
 * at all, and the vector op falls back to a per-lane Math.pow slower than this loop.)
 */
final class VectorPow {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final float[] ONE = {1f};

    private VectorPow() {
    }

    /** dst[d + i] = pow(a[ao + i * as], b[bo + i * bs]) for i &lt; n, any strides. */
    static void row(float[] a, int ao, int as, float[] b, int bo, int bs, float[] dst, int d, int n) {
        float y = n > 0 ? b[bo] : 0f;
        if (as == 1 && bs == 0 && (y == 2f || y == 3f || y == 0.5f || y == -0.5f || y == -1f || y == -2f)) {
            specialExponent(a, ao, y, dst, d, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst[d + i] = BinaryOp.pow(a[ao + i * as], b[bo + i * bs]);
            }
        }
    }

    private static void specialExponent(float[] a, int ao, float y, float[] dst, int d, int n) {
        if (y == 2f) {
            VectorBinary.row(BinaryOp.MUL, a, ao, 1, a, ao, 1, dst, d, n);
        } else if (y == 3f) {
            cube(a, ao, dst, d, n);
        } else if (y == 0.5f) {
            VectorUnary.contiguous(UnaryOp.SQRT, a, ao, dst, d, n);
        } else if (y == -0.5f) {
            inverseSqrt(a, ao, dst, d, n);
        } else if (y == -1f) {
            VectorBinary.row(BinaryOp.DIV, ONE, 0, 0, a, ao, 1, dst, d, n);
        } else {
            inverseSquare(a, ao, dst, d, n);
        }
    }

    private static void cube(float[] a, int ao, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
            x.mul(x).mul(x).intoArray(dst, d + i);
        }
        scalarTail(a, ao, 3f, dst, d, i, n);
    }

    private static void inverseSqrt(float[] a, int ao, float[] dst, int d, int n) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            one.div(FloatVector.fromArray(SPECIES, a, ao + i).sqrt()).intoArray(dst, d + i);
        }
        scalarTail(a, ao, -0.5f, dst, d, i, n);
    }

    private static void inverseSquare(float[] a, int ao, float[] dst, int d, int n) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
            one.div(x.mul(x)).intoArray(dst, d + i);
        }
        scalarTail(a, ao, -2f, dst, d, i, n);
    }

    // scalar tail (the special exponents are exact IEEE operations, identical in scalar code)
    private static void scalarTail(float[] a, int ao, float y, float[] dst, int d, int from, int n) {
        for (int i = from; i < n; i++) {
            dst[d + i] = BinaryOp.pow(a[ao + i], y);
        }
    }
}
