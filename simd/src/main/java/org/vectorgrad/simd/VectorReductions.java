package org.vectorgrad.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector sums, sums of squares and maxima.
 *
 * <p>NOTE (precision and determinism): a contiguous run is summed in float within blocks of
 * {@link #BLOCK} elements counted from the start of the run, with four vector accumulators; each
 * block's lanes are then widened into double lane accumulators (much cheaper than a chain of
 * scalar additions per block), whose lanes are added in order at the end of the run. So the
 * error grows with the block size, not with n (a 16M-element sum stays accurate). A whole-tensor
 * sum adds, in order, the partials of fixed {@link #PIECE}s of the index space, and a sum that
 * keeps dimensions is split between threads only over the kept ones (see
 * {@link RowWalk#forEachRowOwning}): the result depends on the values and these fixed boundaries,
 * never on the thread count. Being float, a block's partial sums overflow to infinity once they
 * pass {@code Float.MAX_VALUE} (NaN when both signs do), where the reference's double sum may
 * come back into range.
 */
final class VectorReductions {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    // Floats with as many lanes as DOUBLES, so that one F2D conversion fills one double vector.
    private static final VectorSpecies<Float> HALF =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.length() * Float.SIZE));
    /** Elements summed in float before the partial is added in double. */
    static final int BLOCK = 1024;
    /**
     * Elements of a whole-tensor reduction per partial (a multiple of BLOCK): the pieces, and so
     * the result, do not depend on the thread count.
     */
    static final int PIECE = 16 * BLOCK;
    /** Elements per parallel chunk: about 40 µs of summing (see {@link VectorKernels#MIN_CHUNK}). */
    static final int MIN_CHUNK = 1 << 18;

    private VectorReductions() {
    }

    static void sum(int[] shape, float[] a, int aOffset, int[] aStrides, boolean[] reduce,
                    float[] dst, int dstOffset) {
        int kept = Shapes.keptCount(shape, reduce);
        RowWalk walk = RowWalk.of(shape, aStrides, Shapes.reducedStrides(shape, reduce));
        int as = walk.innerStride(0);
        int ds = walk.innerStride(1);
        if (kept == 1) {
            dst[dstOffset] = (float) walk.sumInPieces(new int[] {aOffset, 0}, PIECE, MIN_CHUNK, () -> {
                VectorSoftmax.Scratch scratch = new VectorSoftmax.Scratch();
                return (o, n) -> as == 1 ? contiguousSum(a, o[0], n, scratch) : stridedSum(a, o[0], as, n);
            });
            return;
        }
        double[] acc = new double[kept];
        walk.forEachRowOwning(new int[] {aOffset, 0}, 1, MIN_CHUNK, () -> {
            VectorSoftmax.Scratch scratch = new VectorSoftmax.Scratch();
            return (o, n) -> {
                if (ds == 0 && as == 1) {
                    acc[o[1]] += contiguousSum(a, o[0], n, scratch);
                } else if (ds == 1 && as == 1) {
                    addInto(acc, o[1], a, o[0], n);
                } else {
                    for (int i = 0; i < n; i++) {
                        acc[o[1] + i * ds] += a[o[0] + i * as];
                    }
                }
            };
        });
        for (int j = 0; j < acc.length; j++) {
            dst[dstOffset + j] = (float) acc[j];
        }
    }

    private static double stridedSum(float[] a, int offset, int stride, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[offset + i * stride];
        }
        return sum;
    }

    /**
     * Σ a[off + i] for i &lt; n, blocked as the class comment says: each block's float lanes are
     * widened into double lane accumulators, whose lanes are added in order at the end.
     */
    static double contiguousSum(float[] a, int off, int n, VectorSoftmax.Scratch scratch) {
        return blocked(a, off, n, false, scratch);
    }

    /** Σ a[off + i]² for i &lt; n, blocked and widened like {@link #contiguousSum}. */
    static double contiguousSquares(float[] a, int off, int n, VectorSoftmax.Scratch scratch) {
        return blocked(a, off, n, true, scratch);
    }

    // One loop for both sums; `squares` is loop-invariant, so C2 unswitches it out of the loops.
    private static double blocked(float[] a, int off, int n, boolean squares, VectorSoftmax.Scratch scratch) {
        int step = SPECIES.length();
        float[] floats = scratch.floats;
        DoubleVector total = DoubleVector.zero(DOUBLES);
        for (int start = 0; start < n; start += BLOCK) {
            int len = Math.min(BLOCK, n - start);
            int base = off + start;
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            int i = 0;
            for (; i + 4 * step <= len; i += 4 * step) {
                FloatVector x0 = FloatVector.fromArray(SPECIES, a, base + i);
                FloatVector x1 = FloatVector.fromArray(SPECIES, a, base + i + step);
                FloatVector x2 = FloatVector.fromArray(SPECIES, a, base + i + 2 * step);
                FloatVector x3 = FloatVector.fromArray(SPECIES, a, base + i + 3 * step);
                s0 = squares ? x0.fma(x0, s0) : s0.add(x0);
                s1 = squares ? x1.fma(x1, s1) : s1.add(x1);
                s2 = squares ? x2.fma(x2, s2) : s2.add(x2);
                s3 = squares ? x3.fma(x3, s3) : s3.add(x3);
            }
            for (; i < len; i += step) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, base + i, SPECIES.indexInRange(i, len));
                s0 = squares ? x.fma(x, s0) : s0.add(x);
            }
            s0.add(s1).add(s2.add(s3)).intoArray(floats, 0);
            for (int h = 0; h < step; h += HALF.length()) {
                total = total.add(FloatVector.fromArray(HALF, floats, h).convertShape(VectorOperators.F2D, DOUBLES, 0));
            }
        }
        total.intoArray(scratch.doubles, 0);
        return lanesInDouble(scratch.doubles);
    }

    // Reducing lanes through an array in a fixed order, rather than reduceLanes (whose order is
    // unspecified), keeps the result the same in compiled and interpreted code.
    private static double lanesInDouble(double[] lanes) {
        double total = 0;
        for (double lane : lanes) {
            total += lane;
        }
        return total;
    }

    // Reducing lanes through an array in a fixed order, rather than reduceLanes (whose order is
    // unspecified), keeps the result the same in compiled and interpreted code.
    private static double lanesInDouble(float[] lanes) {
        double total = 0;
        for (float lane : lanes) {
            total += lane;
        }
        return total;
    }

    // acc[j + i] += a[off + i]: the same double additions, in the same order, as the reference.
    private static void addInto(double[] acc, int j, float[] a, int off, int n) {
        int i = 0;
        for (; i < HALF.loopBound(n); i += HALF.length()) {
            DoubleVector x = (DoubleVector) FloatVector.fromArray(HALF, a, off + i)
                    .convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector.fromArray(DOUBLES, acc, j + i).add(x).intoArray(acc, j + i);
        }
        // scalar tail
        for (; i < n; i++) {
            acc[j + i] += a[off + i];
        }
    }

    static float sumOfSquares(int[] shape, float[] a, int aOffset, int[] aStrides) {
        RowWalk walk = RowWalk.of(shape, aStrides);
        int as = walk.innerStride(0);
        return (float) walk.sumInPieces(new int[] {aOffset}, PIECE, MIN_CHUNK, () -> {
            VectorSoftmax.Scratch scratch = new VectorSoftmax.Scratch();
            return (o, n) -> as == 1 ? contiguousSquares(a, o[0], n, scratch) : stridedSquares(a, o[0], as, n);
        });
    }

    private static double stridedSquares(float[] a, int offset, int stride, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double x = a[offset + i * stride];
            sum += x * x;
        }
        return sum;
    }

    /** Σ x[xo + i]·y[yo + i] for i &lt; n, blocked like the sums (see the class comment). */
    static double contiguousDot(float[] x, int xo, float[] y, int yo, int n, float[] lanes) {
        double total = 0;
        for (int start = 0; start < n; start += BLOCK) {
            total += blockDot(x, xo + start, y, yo + start, Math.min(BLOCK, n - start), lanes);
        }
        return total;
    }

    private static double blockDot(float[] x, int xo, float[] y, int yo, int len, float[] lanes) {
        int step = SPECIES.length();
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int i = 0;
        for (; i + 4 * step <= len; i += 4 * step) {
            s0 = FloatVector.fromArray(SPECIES, x, xo + i).fma(FloatVector.fromArray(SPECIES, y, yo + i), s0);
            s1 = FloatVector.fromArray(SPECIES, x, xo + i + step)
                    .fma(FloatVector.fromArray(SPECIES, y, yo + i + step), s1);
            s2 = FloatVector.fromArray(SPECIES, x, xo + i + 2 * step)
                    .fma(FloatVector.fromArray(SPECIES, y, yo + i + 2 * step), s2);
            s3 = FloatVector.fromArray(SPECIES, x, xo + i + 3 * step)
                    .fma(FloatVector.fromArray(SPECIES, y, yo + i + 3 * step), s3);
        }
        for (; i < len; i += step) {
            VectorMask<Float> m = SPECIES.indexInRange(i, len);
            s0 = FloatVector.fromArray(SPECIES, x, xo + i, m).fma(FloatVector.fromArray(SPECIES, y, yo + i, m), s0);
        }
        s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
        return lanesInDouble(lanes);
    }

    static void max(int[] shape, float[] a, int aOffset, int[] aStrides, int dim,
                    float[] values, int valuesOffset, float[] indices, int indicesOffset) {
        int length = shape[dim];
        int step = aStrides[dim];
        RowWalk walk = RowWalk.linesAlong(shape, dim, aStrides);
        if (walk.rowCount() * walk.rowLength() == 1 && length >= 2 * MIN_CHUNK) {
            int at = RowWalk.firstMaxInPieces(a, aOffset, step, length, PIECE, MIN_CHUNK, (from, to) -> from
                    + (step == 1 ? VectorMax.contiguousLine(a, aOffset + from, to - from)
                    : VectorMax.stridedLine(a, aOffset + from * step, step, to - from)));
            values[valuesOffset] = a[aOffset + at * step];
            if (indices != null) {
                indices[indicesOffset] = at;
            }
            return;
        }
        int as = walk.innerStride(0);
        RowVisitor lines = (o, n) -> {
            int j = 0;
            if (as == 1 && step != 1) {
                j = VectorMax.across(a, o[0], step, length, values, valuesOffset + o[1],
                        indices, indicesOffset + o[1], n);
            }
            for (; j < n; j++) {
                int at = step == 1 ? VectorMax.contiguousLine(a, o[0] + j * as, length)
                        : VectorMax.stridedLine(a, o[0] + j * as, step, length);
                values[valuesOffset + o[1] + j] = a[o[0] + j * as + at * step];
                if (indices != null) {
                    indices[indicesOffset + o[1] + j] = at;
                }
            }
        };
        walk.forEachRowParallel(new int[] {aOffset, 0}, 1, MIN_CHUNK / Math.max(length, 1) + 1, () -> lines);
    }
}
