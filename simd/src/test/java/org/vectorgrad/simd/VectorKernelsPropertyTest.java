package org.vectorgrad.simd;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Position independence: for the ops that are not exact, the value computed for an element is
 * the same, bit for bit, wherever it sits (alone, in the body or the tail of a row, at any offset,
 * in a strided view). The scheduler will split rows at arbitrary points, so this is what makes
 * results identical for every thread count.
 *
 * <p>NOTE: interpreted or compiled by C1, the Vector API computes with its Java fallback (Math.exp
 * per lane), which need not agree with C2's SVML code (for pow they differ on about 0.4% of
 * inputs, which is why {@link VectorPow} does not use it; for the unary ops no difference was
 * found on millions of inputs, but none is promised). C2 deoptimizes a kernel when it meets a
 * path it had not seen (such as a row shorter than a vector), and the kernel then runs that
 * fallback for thousands of calls until it is recompiled. So each comparison is between two calls
 * of the same loop (same layout), the kernels are made hot first, and a mismatch is recomputed
 * (up to {@link #SETTLE} times) before it fails: a kernel whose result really depends on the
 * position fails every time.
 */
final class VectorKernelsPropertyTest {
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;
    private static final int SETTLE = 20_000;

    @BeforeContainer
    static void compileKernels() {
        if (!KernelProvider.c2Enabled()) {
            return;
        }
        float[] src = Values.MIXED.fill(new Random(1), new float[4099]);
        float[] dst = new float[src.length];
        for (int run = 0; run < 1500; run++) {
            for (UnaryOp op : UnaryOp.values()) {
                if (!op.isExact()) {
                    map(op, src, run % 7, 1, src.length - 7, dst);
                    map(op, src, 0, 2, 100, dst);
                }
            }
            zip(src, 0, 1, src, 1, 1, src.length - 1, dst);
            zip(src, 0, 1, src, run % 5, 0, src.length, dst);
            zip(src, 0, 2, src, 1, 3, 300, dst);
        }
    }

    @Property(tries = 2000)
    void unaryValueDoesNotDependOnItsPosition(@ForAll("nonExactOps") UnaryOp op, @ForAll("floats") float x,
                                              @ForAll @IntRange(min = 1, max = 100) int length,
                                              @ForAll @IntRange(min = 0, max = 20) int offset,
                                              @ForAll Random random) {
        float[] dst = new float[length];
        int position = random.nextInt(length);
        for (int stride : new int[] {1, 2, 3}) {
            float[] src = Values.MIXED.fill(random, new float[offset + length * stride]);
            src[offset + position * stride] = x;
            assertSettlesSame(() -> {
                map(op, new float[] {x}, 0, 1, 1, dst);
                float alone = dst[0];
                map(op, src, offset, stride, length, dst);
                return new float[] {alone, dst[position]};
            }, op + "(" + x + ") at " + position + " of " + length + ", stride " + stride);
        }
    }

    // The exponent varies per lane, is a broadcast scalar, or both operands are strided (and get
    // gathered); "alone" runs the same layout on one element.
    @Property(tries = 2000)
    void powValueDoesNotDependOnItsPosition(@ForAll("floats") float x, @ForAll("exponents") float y,
                                            @ForAll @IntRange(min = 1, max = 100) int length,
                                            @ForAll Random random) {
        float[] dst = new float[length];
        int position = random.nextInt(length);
        float[] a = Values.MIXED.fill(random, new float[3 * length]);
        float[] b = Values.MIXED.fill(random, new float[3 * length]);
        a[position] = x;
        b[position] = y;
        a[3 * position] = x;
        b[2 * position] = y;
        int[][] layouts = {{1, 1}, {1, 0}, {3, 2}};
        for (int[] strides : layouts) {
            float[] exponents = strides[1] == 0 ? new float[] {y} : b;
            assertSettlesSame(() -> {
                zip(new float[] {x}, 0, strides[0], new float[] {y}, 0, strides[1], 1, dst);
                float alone = dst[0];
                zip(a, 0, strides[0], exponents, 0, strides[1], length, dst);
                return new float[] {alone, dst[position]};
            }, "pow(" + x + ", " + y + ") at " + position + " of " + length + ", strides " + Arrays.toString(strides));
        }
    }

    // A softmax line gives the same result alone, as one row of a batch, and as a strided column.
    @Property(tries = 300)
    void softmaxLineDoesNotDependOnLayout(@ForAll @IntRange(min = 1, max = 70) int length,
                                          @ForAll @IntRange(min = 1, max = 5) int rows,
                                          @ForAll boolean log, @ForAll Random random) {
        float[] line = Values.GAUSSIAN.fill(random, new float[length]);
        float[] alone = new float[length];
        VECTOR.softmax(new int[] {length}, line, 0, new int[] {1}, 0, log, alone, 0);
        int row = random.nextInt(rows);
        float[] batch = Values.GAUSSIAN.fill(random, new float[rows * length]);
        System.arraycopy(line, 0, batch, row * length, length);
        float[] out = new float[rows * length];
        VECTOR.softmax(new int[] {rows, length}, batch, 0, new int[] {length, 1}, 1, log, out, 0);
        assertSame(alone, Arrays.copyOfRange(out, row * length, (row + 1) * length), "row " + row);
        // the same storage viewed transposed: softmax along dim 0 of a (length, rows) view
        VECTOR.softmax(new int[] {length, rows}, batch, 0, new int[] {1, length}, 0, log, out, 0);
        for (int t = 0; t < length; t++) {
            assertSame(alone[t], out[t * rows + row], "column " + row + " at " + t);
        }
    }

    @Provide
    Arbitrary<UnaryOp> nonExactOps() {
        return Arbitraries.of(Arrays.stream(UnaryOp.values()).filter(op -> !op.isExact()).toList());
    }

    /** Any float: specials, moderate values, and every bit pattern (NaNs, subnormals, huge). */
    @Provide
    Arbitrary<Float> floats() {
        return Arbitraries.oneOf(
                Arbitraries.of(Values.SPECIALS[0], Values.SPECIALS[1], Values.SPECIALS[2], 0f, -0f, 1f, -1f),
                Arbitraries.floats().between(-100f, 100f),
                Arbitraries.integers().map(Float::intBitsToFloat));
    }

    /** Exponents: the exactly computed ones, other special values, and any float. */
    @Provide
    Arbitrary<Float> exponents() {
        return Arbitraries.oneOf(
                Arbitraries.of(2f, 3f, 0.5f, -0.5f, -1f, -2f, 0f, 1f, Float.NaN, Float.POSITIVE_INFINITY),
                Arbitraries.floats().between(-10f, 10f),
                Arbitraries.integers().map(Float::intBitsToFloat));
    }

    private static void map(UnaryOp op, float[] src, int offset, int stride, int length, float[] dst) {
        VECTOR.map(op, new int[] {length}, src, offset, new int[] {stride}, dst, 0);
    }

    private static void zip(float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride, int length,
                            float[] dst) {
        VECTOR.zip(BinaryOp.POW, new int[] {length}, a, aOffset, new int[] {aStride}, b, bOffset,
                new int[] {bStride}, dst, 0);
    }

    /** Computes {alone, in place}; see the class comment. */
    @FunctionalInterface
    private interface Pair {
        float[] compute();
    }

    private static void assertSettlesSame(Pair pair, String context) {
        float[] values = pair.compute();
        for (int attempt = 0; attempt < SETTLE && !Floats.same(values[0], values[1]); attempt++) {
            values = pair.compute();
        }
        assertSame(values[0], values[1], context);
    }

    private static void assertSame(float expected, float actual, String context) {
        if (!Floats.same(expected, actual)) {
            throw new AssertionError(context + ": " + actual + " != " + expected + " alone");
        }
    }

    private static void assertSame(float[] expected, float[] actual, String context) {
        for (int i = 0; i < expected.length; i++) {
            assertSame(expected[i], actual[i], context + " at " + i);
        }
    }
}
