package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector loops for {@link UnaryOp}: one explicit loop per op, so that every vector operator is a
 * compile-time constant for C2.
 *
 * <p>NOTE: for the ops that are not exact, an element's result must not depend on where it sits
 * relative to a loop bound (the scheduler will split rows anywhere and results must be identical
 * for every thread count), so their tails run through the same vector routine under a mask
 * instead of through the scalar {@code apply}. Strided rows of those ops are gathered into the
 * contiguous destination first and then transformed in place by the same loop. (Vectors never
 * cross a method boundary of ours: C2 may leave a small helper un-inlined where it was cold at
 * compile time, and a vector passed through it is boxed, slower than scalar code.)
 *
 * <p>NOTE (JIT state): until C2 compiles a loop, the Vector API computes the transcendentals lane
 * by lane with Math's functions, which may differ by an ulp from the SVML code C2 calls. The
 * result of an element then depends on how far the JIT has got, and, when a loop runs
 * interpreted until the on-stack replacement of each call, on where a call starts, that is on
 * the chunking. The loops are therefore called once per {@link #BLOCK} elements: they reach the
 * invocation counts of a full C2 compilation within the first large call or two, after which
 * every element's value is fixed whatever the thread count.
 */
final class VectorUnary {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Elements per call of a transcendental loop (a multiple of every vector length). */
    private static final int BLOCK = 1024;

    private VectorUnary() {
    }

    /** dst[d + i] = op(src[s + i * stride]) for i &lt; n. */
    static void row(UnaryOp op, float[] src, int s, int stride, float[] dst, int d, int n) {
        if (stride == 1) {
            contiguous(op, src, s, dst, d, n);
        } else if (op.isExact()) {
            for (int i = 0; i < n; i++) {
                dst[d + i] = op.apply(src[s + i * stride]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[d + i] = src[s + i * stride];
            }
            contiguous(op, dst, d, dst, d, n);
        }
    }

    /** dst[d + i] = op(src[s + i]) for i &lt; n; dst may be src at the same offset. */
    static void contiguous(UnaryOp op, float[] src, int s, float[] dst, int d, int n) {
        if (op.isExact()) {
            exact(op, src, s, dst, d, n);
            return;
        }
        for (int start = 0; start < n; start += BLOCK) {
            transcendental(op, src, s + start, dst, d + start, Math.min(BLOCK, n - start));
        }
    }

    private static void exact(UnaryOp op, float[] src, int s, float[] dst, int d, int n) {
        switch (op) {
            case NEG -> neg(src, s, dst, d, n);
            case ABS -> abs(src, s, dst, d, n);
            case SIGN -> sign(src, s, dst, d, n);
            case RELU -> relu(src, s, dst, d, n);
            case SQRT -> sqrt(src, s, dst, d, n);
            default -> throw new AssertionError(op);
        }
    }

    private static void transcendental(UnaryOp op, float[] src, int s, float[] dst, int d, int n) {
        switch (op) {
            case EXP -> exp(src, s, dst, d, n);
            case LOG -> log(src, s, dst, d, n);
            case LOG1P -> log1p(src, s, dst, d, n);
            case SIN -> sin(src, s, dst, d, n);
            case COS -> cos(src, s, dst, d, n);
            case TANH -> tanh(src, s, dst, d, n);
            case SIGMOID -> sigmoid(src, s, dst, d, n);
            default -> throw new AssertionError(op);
        }
    }

    private static void neg(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, src, s + i).neg().intoArray(dst, d + i);
        }
        scalarTail(UnaryOp.NEG, src, s, dst, d, i, n);
    }

    private static void abs(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, src, s + i).abs().intoArray(dst, d + i);
        }
        scalarTail(UnaryOp.ABS, src, s, dst, d, i, n);
    }

    // (0 < x) - (x < 0): ±1 for nonzero numbers, +0 for ±0 and for NaN.
    private static void sign(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(SPECIES);
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector x = FloatVector.fromArray(SPECIES, src, s + i);
            zero.blend(1f, x.compare(VectorOperators.GT, 0f))
                    .blend(-1f, x.compare(VectorOperators.LT, 0f))
                    .intoArray(dst, d + i);
        }
        scalarTail(UnaryOp.SIGN, src, s, dst, d, i, n);
    }

    // x < 0 is false for NaN and for -0, which pass through unchanged.
    private static void relu(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector x = FloatVector.fromArray(SPECIES, src, s + i);
            x.blend(0f, x.compare(VectorOperators.LT, 0f)).intoArray(dst, d + i);
        }
        scalarTail(UnaryOp.RELU, src, s, dst, d, i, n);
    }

    // NOTE: sqrt is correctly rounded in float, and so is the reference's double sqrt rounded
    // to float (53 >= 2 * 24 + 2 bits), so the two agree bit for bit.
    private static void sqrt(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, src, s + i).sqrt().intoArray(dst, d + i);
        }
        scalarTail(UnaryOp.SQRT, src, s, dst, d, i, n);
    }

    private static void exp(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            ExactVectorMath.exp(FloatVector.fromArray(SPECIES, src, s + i)).intoArray(dst, d + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            ExactVectorMath.exp(FloatVector.fromArray(SPECIES, src, s + i, m)).intoArray(dst, d + i, m);
        }
    }

    private static void log(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            ExactVectorMath.log(FloatVector.fromArray(SPECIES, src, s + i)).intoArray(dst, d + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            ExactVectorMath.log(FloatVector.fromArray(SPECIES, src, s + i, m)).intoArray(dst, d + i, m);
        }
    }

    private static void log1p(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, src, s + i).lanewise(VectorOperators.LOG1P).intoArray(dst, d + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector.fromArray(SPECIES, src, s + i, m).lanewise(VectorOperators.LOG1P).intoArray(dst, d + i, m);
        }
    }

    private static void sin(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, src, s + i).lanewise(VectorOperators.SIN).intoArray(dst, d + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector.fromArray(SPECIES, src, s + i, m).lanewise(VectorOperators.SIN).intoArray(dst, d + i, m);
        }
    }

    private static void cos(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, src, s + i).lanewise(VectorOperators.COS).intoArray(dst, d + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector.fromArray(SPECIES, src, s + i, m).lanewise(VectorOperators.COS).intoArray(dst, d + i, m);
        }
    }

    private static void tanh(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, src, s + i).lanewise(VectorOperators.TANH).intoArray(dst, d + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector.fromArray(SPECIES, src, s + i, m).lanewise(VectorOperators.TANH).intoArray(dst, d + i, m);
        }
    }

    // NOTE: 1 / (1 + e^-x) in float overflows e^-x for x < -88.7 and returns 0 where the
    // reference (in double) still has a subnormal result; e^x / (1 + e^x) for negative x has no
    // overflow and the same value, so both halves use e = e^-|x| (which is at most 1).
    private static void sigmoid(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        for (; i < SPECIES.loopBound(n); i += SPECIES.length()) {
            FloatVector x = FloatVector.fromArray(SPECIES, src, s + i);
            FloatVector e = ExactVectorMath.exp(x.abs().neg());
            one.blend(e, x.compare(VectorOperators.LT, 0f)).div(e.add(1f)).intoArray(dst, d + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(SPECIES, src, s + i, m);
            FloatVector e = ExactVectorMath.exp(x.abs().neg());
            one.blend(e, x.compare(VectorOperators.LT, 0f)).div(e.add(1f)).intoArray(dst, d + i, m);
        }
    }

    // scalar tail (exact ops only: there the scalar and the vector results are bit-identical)
    private static void scalarTail(UnaryOp op, float[] src, int s, float[] dst, int d, int from, int n) {
        for (int i = from; i < n; i++) {
            dst[d + i] = op.apply(src[s + i]);
        }
    }
}
