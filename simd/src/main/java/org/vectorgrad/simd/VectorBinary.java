package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector loops for {@link BinaryOp} over one row. (Vectors never cross a method boundary of
 * ours: C2 may leave a call to a small helper un-inlined in a branch that was cold when it
 * compiled, and a vector passed through it gets boxed, several times slower than scalar code.)
 * Comparisons store booleans as 1f / 0f. Every op has explicit loops for the layouts
 * "both contiguous" and "b a broadcast scalar"; "a a broadcast scalar" reuses them by swapping
 * the operands of the symmetric ops (and mirroring the comparisons), and has its own loops only
 * for SUB and DIV. Other strides run the scalar {@code apply}: every op here is exact (POW too,
 * see {@link VectorPow}), so scalar and vector results are bit-identical.
 */
final class VectorBinary {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorBinary() {
    }

    /** dst[d + i] = op(a[ao + i * as], b[bo + i * bs]) for i &lt; n. */
    static void row(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs,
                    float[] dst, int d, int n) {
        if (op == BinaryOp.POW) {
            VectorPow.row(a, ao, as, b, bo, bs, dst, d, n);
        } else if (vectorLayout(as, bs) && n > 0) {
            if (as == 0 && op != BinaryOp.SUB && op != BinaryOp.DIV) {
                contiguous(mirror(op), b, bo, bs, a, ao, as, dst, d, n);
            } else {
                contiguous(op, a, ao, as, b, bo, bs, dst, d, n);
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[d + i] = op.apply(a[ao + i * as], b[bo + i * bs]);
            }
        }
    }

    /** True for the inner strides the vector loops take: both contiguous, or one broadcast. */
    static boolean vectorLayout(int as, int bs) {
        return as == 1 && (bs == 0 || bs == 1) || as == 0 && bs == 1;
    }

    // op(y, x) == mirror(op)(x, y) bit for bit (up to NaN payloads) for every op but SUB/DIV.
    private static BinaryOp mirror(BinaryOp op) {
        return switch (op) {
            case LT -> BinaryOp.GT;
            case LE -> BinaryOp.GE;
            case GT -> BinaryOp.LT;
            case GE -> BinaryOp.LE;
            default -> op;
        };
    }

    // Layout (as, bs) is (1, 1), (1, 0), or for SUB/DIV also (0, 1).
    private static void contiguous(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs,
                                   float[] dst, int d, int n) {
        switch (op) {
            case ADD -> add(a, ao, b, bo, bs, dst, d, n);
            case SUB -> sub(a, ao, as, b, bo, bs, dst, d, n);
            case MUL -> mul(a, ao, b, bo, bs, dst, d, n);
            case DIV -> div(a, ao, as, b, bo, bs, dst, d, n);
            case POW -> VectorPow.row(a, ao, as, b, bo, bs, dst, d, n);
            case MAXIMUM -> maximum(a, ao, b, bo, bs, dst, d, n);
            case MINIMUM -> minimum(a, ao, b, bo, bs, dst, d, n);
            case EQ -> eq(a, ao, b, bo, bs, dst, d, n);
            case NE -> ne(a, ao, b, bo, bs, dst, d, n);
            case LT -> lt(a, ao, b, bo, bs, dst, d, n);
            case LE -> le(a, ao, b, bo, bs, dst, d, n);
            case GT -> gt(a, ao, b, bo, bs, dst, d, n);
            case GE -> ge(a, ao, b, bo, bs, dst, d, n);
        }
    }

    private static void add(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                x.add(y).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                x.add(y).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.ADD, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    private static void sub(float[] a, int ao, int as, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                x.sub(FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(dst, d + i);
            }
        } else if (as == 1) {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector.fromArray(SPECIES, a, ao + i).sub(y).intoArray(dst, d + i);
            }
        } else {
            FloatVector x = FloatVector.broadcast(SPECIES, a[ao]);
            for (; i < bound; i += SPECIES.length()) {
                x.sub(FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.SUB, a, ao, as, b, bo, bs, dst, d, i, n);
    }

    private static void mul(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                x.mul(y).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                x.mul(y).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.MUL, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    private static void div(float[] a, int ao, int as, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                x.div(FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(dst, d + i);
            }
        } else if (as == 1) {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector.fromArray(SPECIES, a, ao + i).div(y).intoArray(dst, d + i);
            }
        } else {
            FloatVector x = FloatVector.broadcast(SPECIES, a[ao]);
            for (; i < bound; i += SPECIES.length()) {
                x.div(FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.DIV, a, ao, as, b, bo, bs, dst, d, i, n);
    }

    // FloatVector.max/min follow Math.max/min: NaN wins and +0 is above -0, as the reference.
    private static void maximum(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                x.max(y).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                x.max(y).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.MAXIMUM, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    private static void minimum(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                x.min(y).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                x.min(y).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.MINIMUM, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    private static void eq(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        FloatVector zero = FloatVector.zero(SPECIES);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                zero.blend(1f, x.compare(VectorOperators.EQ, y)).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                zero.blend(1f, x.compare(VectorOperators.EQ, y)).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.EQ, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    // The vector NE is the unordered "not equal": true when either side is NaN, as x != y is.
    private static void ne(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        FloatVector zero = FloatVector.zero(SPECIES);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                zero.blend(1f, x.compare(VectorOperators.NE, y)).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                zero.blend(1f, x.compare(VectorOperators.NE, y)).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.NE, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    private static void lt(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        FloatVector zero = FloatVector.zero(SPECIES);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                zero.blend(1f, x.compare(VectorOperators.LT, y)).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                zero.blend(1f, x.compare(VectorOperators.LT, y)).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.LT, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    private static void le(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        FloatVector zero = FloatVector.zero(SPECIES);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                zero.blend(1f, x.compare(VectorOperators.LE, y)).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                zero.blend(1f, x.compare(VectorOperators.LE, y)).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.LE, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    private static void gt(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        FloatVector zero = FloatVector.zero(SPECIES);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                zero.blend(1f, x.compare(VectorOperators.GT, y)).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                zero.blend(1f, x.compare(VectorOperators.GT, y)).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.GT, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    private static void ge(float[] a, int ao, float[] b, int bo, int bs, float[] dst, int d, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        FloatVector zero = FloatVector.zero(SPECIES);
        if (bs == 1) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bo + i);
                zero.blend(1f, x.compare(VectorOperators.GE, y)).intoArray(dst, d + i);
            }
        } else {
            float y = b[bo];
            for (; i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, ao + i);
                zero.blend(1f, x.compare(VectorOperators.GE, y)).intoArray(dst, d + i);
            }
        }
        scalarTail(BinaryOp.GE, a, ao, 1, b, bo, bs, dst, d, i, n);
    }

    // scalar tail (exact ops only)
    private static void scalarTail(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs,
                                   float[] dst, int d, int from, int n) {
        for (int i = from; i < n; i++) {
            dst[d + i] = op.apply(a[ao + i * as], b[bo + i * bs]);
        }
    }
}
