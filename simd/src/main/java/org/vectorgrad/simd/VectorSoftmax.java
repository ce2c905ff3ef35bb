package org.vectorgrad.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax and log-softmax along one dimension. Contiguous lines run three vector passes (max,
 * exp-and-sum, scale); any other layout gathers each line into a scratch line, runs the same
 * passes there and scatters the result, so a line's result depends only on its values.
 *
 * <p>NOTE: exp's tail goes through the vector EXP under a mask (the result for an element must
 * not depend on its position). The exponentials are summed in double: a float sum of 1 (the
 * maximum's term) and many small terms loses the small terms' low bits, and log-softmax of the
 * maximum, -ln(sum), is then off by far more than a few ulp.
 */
final class VectorSoftmax {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> HALF =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.length() * Float.SIZE));
    /** Elements per parallel chunk (lines are never split): 40-60 µs of work (see VectorKernels). */
    static final int MIN_CHUNK = 1 << 16;

    private VectorSoftmax() {
    }

    /** Per-call scratch: one float vector and one double vector, as arrays. */
    static final class Scratch {
        final float[] floats = new float[SPECIES.length()];
        final double[] doubles = new double[DOUBLES.length()];
    }

    static void softmax(int[] shape, float[] a, int aOffset, int[] aStrides, int dim, boolean log,
                        float[] dst, int dstOffset) {
        int length = shape[dim];
        int aStep = aStrides[dim];
        int[] dstStrides = Shapes.contiguousStrides(shape);
        int dStep = dstStrides[dim];
        RowWalk walk = RowWalk.linesAlong(shape, dim, aStrides, dstStrides);
        int as = walk.innerStride(0);
        int ds = walk.innerStride(1);
        boolean contiguous = aStep == 1 && dStep == 1;
        walk.forEachRowParallel(new int[] {aOffset, dstOffset}, 1, MIN_CHUNK / Math.max(length, 1) + 1, () -> {
            float[] line = contiguous ? null : new float[length];
            Scratch scratch = new Scratch();
            return (o, n) -> {
                for (int j = 0; j < n; j++) {
                    int aBase = o[0] + j * as;
                    int dBase = o[1] + j * ds;
                    if (contiguous) {
                        line(a, aBase, dst, dBase, length, log, scratch);
                    } else {
                        for (int t = 0; t < length; t++) {
                            line[t] = a[aBase + t * aStep];
                        }
                        line(line, 0, line, 0, length, log, scratch);
                        for (int t = 0; t < length; t++) {
                            dst[dBase + t * dStep] = line[t];
                        }
                    }
                }
            };
        });
    }

    /** Softmax of a[aBase + t] into dst[dBase + t] for t &lt; length; dst may be a in place. */
    static void line(float[] a, int aBase, float[] dst, int dBase, int length, boolean log,
                     Scratch scratch) {
        float max = VectorMax.contiguousMax(a, aBase, length);
        double sum = expSum(a, aBase, max, dst, dBase, length, !log, scratch);
        if (log) {
            shift(a, aBase, max, (float) Math.log(sum), dst, dBase, length);
        } else {
            scale(dst, dBase, (float) (1.0 / sum), length);
        }
    }

    // Σ exp(a[t] - max), storing the exponentials into dst when asked. The sum is lane-wise in
    // double: each float vector goes through a one-vector array and comes back as halves, whose
    // same-lane-count F2D conversion C2 compiles well (converting the upper part of a whole
    // vector in place measured much slower).
    private static double expSum(float[] a, int aBase, float max, float[] dst, int dBase, int length,
                                 boolean store, Scratch scratch) {
        float[] floats = scratch.floats;
        DoubleVector acc = DoubleVector.zero(DOUBLES);
        int t = 0;
        for (; t < SPECIES.loopBound(length); t += SPECIES.length()) {
            FloatVector e = ExactVectorMath.exp(FloatVector.fromArray(SPECIES, a, aBase + t).sub(max));
            if (store) {
                e.intoArray(dst, dBase + t);
            }
            e.intoArray(floats, 0);
            for (int h = 0; h < SPECIES.length(); h += HALF.length()) {
                acc = acc.add(FloatVector.fromArray(HALF, floats, h).convertShape(VectorOperators.F2D, DOUBLES, 0));
            }
        }
        if (t < length) {
            VectorMask<Float> m = SPECIES.indexInRange(t, length);
            FloatVector e = ExactVectorMath.exp(FloatVector.fromArray(SPECIES, a, aBase + t, m).sub(max));
            if (store) {
                e.intoArray(dst, dBase + t, m);
            }
            FloatVector.zero(SPECIES).blend(e, m).intoArray(floats, 0);
            for (int h = 0; h < SPECIES.length(); h += HALF.length()) {
                acc = acc.add(FloatVector.fromArray(HALF, floats, h).convertShape(VectorOperators.F2D, DOUBLES, 0));
            }
        }
        acc.intoArray(scratch.doubles, 0);
        double total = 0;
        for (double lane : scratch.doubles) {
            total += lane;
        }
        return total;
    }

    // dst[t] = (a[t] - max) - logSum: exact IEEE operations, so the scalar tail matches.
    private static void shift(float[] a, int aBase, float max, float logSum, float[] dst, int dBase,
                              int length) {
        int t = 0;
        for (; t < SPECIES.loopBound(length); t += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, a, aBase + t).sub(max).sub(logSum).intoArray(dst, dBase + t);
        }
        // scalar tail
        for (; t < length; t++) {
            dst[dBase + t] = a[aBase + t] - max - logSum;
        }
    }

    private static void scale(float[] dst, int dBase, float factor, int length) {
        int t = 0;
        for (; t < SPECIES.loopBound(length); t += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, dst, dBase + t).mul(factor).intoArray(dst, dBase + t);
        }
        // scalar tail
        for (; t < length; t++) {
            dst[dBase + t] *= factor;
        }
    }
}
