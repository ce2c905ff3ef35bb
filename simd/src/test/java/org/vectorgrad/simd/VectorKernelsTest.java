package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The elementwise vector kernels (map, zip, where, copy) against {@link ScalarKernels}, on every
 * size of the design's list, offsets, strided, transposed, sliced and broadcast operands, 0-d
 * and empty shapes, special values and aliasing. Reductions, softmax and matmul have their own
 * test classes ({@code VectorReductionsTest}, {@code VectorSoftmaxTest}, {@code VectorMatmulTest}).
 *
 * <p>NOTE (tolerances): exact ops must match bit for bit (any NaN matches any NaN). SVML's "ha"
 * float functions are within 1 ulp of the true value and the reference (the double-precision
 * Math result rounded to float) within 0.5 ulp, so the two differ by at most 1.5 ulp: allowed 2.
 * SIGMOID = n / (1 + e) with e = exp(-|x|) and n = 1 or e: e brings 1 ulp, 1 + e 0.5 ulp plus at
 * most half of e's error (e / (1 + e) &lt;= 1/2), n (when e) 1 ulp, the division 0.5 ulp and the
 * reference 0.5 ulp, at most 3.5 ulp: allowed 4. POW may differ by 2 ulp under the contract
 * (it is not {@code isExact}); this implementation happens to match it exactly.
 */
final class VectorKernelsTest {
    static final Kernels SCALAR = new ScalarKernels();
    static final Kernels VECTOR = KernelProvider.named("vector");
    static final int[] SIZES = {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 1000, 4099, (1 << 20) + 3};
    private static final int DST_OFFSET = 5;
    private static final int DST_PADDING = 4;

    static long ulps(UnaryOp op) {
        return op.isExact() ? 0 : op == UnaryOp.SIGMOID ? 4 : 2;
    }

    static long ulps(BinaryOp op) {
        return op.isExact() ? 0 : 2;
    }

    @Test
    void vectorKernelsAreChosenAndNamedAfterTheirWidth() {
        assertTrue(VECTOR instanceof VectorKernels, VECTOR.getClass().getName());
        assertTrue(VECTOR.name().matches("vector-(64|128|256|512|1024|2048)"), VECTOR.name());
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void mapMatchesScalarOnEverySize(UnaryOp op) {
        Random random = new Random(op.ordinal());
        for (int n : SIZES) {
            int[] shape = {n};
            checkMap(op, View.contiguous(shape, 3, random, Values.MIXED));
            checkMap(op, View.of(shape, new int[] {0}, 2, new boolean[1], 1, random, Values.MIXED));
            checkMap(op, View.of(shape, new int[] {0}, 3, new boolean[1], 0, random, Values.MIXED));
            checkMap(op, View.of(shape, new int[] {0}, 1, new boolean[] {true}, 2, random, Values.MIXED));
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void mapMatchesScalarOnEveryLayout(UnaryOp op) {
        Random random = new Random(100 + op.ordinal());
        for (View src : layouts(random)) {
            checkMap(op, src);
        }
    }

    // Every special value at every lane position (body and tail) of the vector loops.
    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void mapMatchesScalarOnSpecialValues(UnaryOp op) {
        for (int shift = 0; shift < 20; shift++) {
            float[] values = new float[shift + 3 * Values.SPECIALS.length];
            for (int i = 0; i < values.length; i++) {
                float special = Values.SPECIALS[i % Values.SPECIALS.length];
                values[i] = i < shift ? 0.25f * i : i / Values.SPECIALS.length % 2 == 0 ? special : -special;
            }
            View src = new View(new int[] {values.length}, values, 0, new int[] {1});
            checkMap(op, src);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void zipMatchesScalarOnEverySize(BinaryOp op) {
        Random random = new Random(200 + op.ordinal());
        for (int n : SIZES) {
            int[] shape = {n};
            View a = View.contiguous(shape, 1, random, Values.MIXED);
            View b = View.contiguous(shape, 4, random, Values.MIXED);
            View scalar = View.of(shape, new int[] {0}, 1, new boolean[] {true}, 2, random, Values.MIXED);
            checkZip(op, a, b);
            checkZip(op, a, scalar);
            checkZip(op, scalar, b);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void zipMatchesScalarOnEveryLayoutPair(BinaryOp op) {
        Random random = new Random(300 + op.ordinal());
        for (int[] shape : shapes()) {
            List<View> views = layoutsOf(shape, random);
            for (View a : views) {
                for (View b : views) {
                    checkZip(op, a, b);
                }
            }
        }
    }

    // Every pair of special values as two arrays, and every special value as a broadcast scalar
    // on either side (the scalar-exponent POW loops are chosen by that value).
    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void zipMatchesScalarOnSpecialValues(BinaryOp op) {
        float[] specials = Values.SPECIALS;
        int count = specials.length * specials.length;
        float[] xs = new float[count];
        float[] ys = new float[count];
        for (int i = 0; i < count; i++) {
            xs[i] = specials[i / specials.length];
            ys[i] = specials[i % specials.length];
        }
        int[] shape = {count};
        View x = new View(shape, xs, 0, new int[] {1});
        checkZip(op, x, new View(shape, ys, 0, new int[] {1}));
        for (float special : specials) {
            View scalar = new View(shape, new float[] {special}, 0, new int[] {0});
            checkZip(op, x, scalar);
            checkZip(op, scalar, x);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void zipWritesInPlaceOverEitherOperand(BinaryOp op) {
        Random random = new Random(400 + op.ordinal());
        for (int n : new int[] {1, 17, 1000}) {
            int[] shape = {n};
            View a = View.contiguous(shape, DST_OFFSET, random, Values.MIXED);
            View b = View.contiguous(shape, DST_OFFSET, random, Values.MIXED);
            View scalar = View.of(shape, new int[] {0}, 1, new boolean[] {true}, 0, random, Values.MIXED);
            checkZipInPlace(op, a, b, true);
            checkZipInPlace(op, a, b, false);
            checkZipInPlace(op, a, scalar, true);
            checkZipInPlace(op, scalar, b, false);
        }
    }

    @Test
    void mapWritesInPlace() {
        Random random = new Random(5);
        for (UnaryOp op : UnaryOp.values()) {
            View src = View.contiguous(new int[] {4, 33}, DST_OFFSET, random, Values.MIXED);
            float[] expected = Floats.sentinels(src.data().length);
            SCALAR.map(op, src.shape(), src.data(), src.offset(), src.strides(), expected, DST_OFFSET);
            float[] inPlace = src.data().clone();
            VECTOR.map(op, src.shape(), inPlace, src.offset(), src.strides(), inPlace, DST_OFFSET);
            float[] logical = Arrays.copyOfRange(inPlace, DST_OFFSET, DST_OFFSET + src.numel());
            Floats.assertClose(Arrays.copyOfRange(expected, DST_OFFSET, DST_OFFSET + src.numel()),
                    logical, ulps(op), op + " in place");
            assertTrue(Arrays.equals(src.data(), 0, DST_OFFSET, inPlace, 0, DST_OFFSET), op + " prefix");
        }
    }

    @Test
    void whereMatchesScalar() {
        Random random = new Random(6);
        for (int n : SIZES) {
            int[] shape = {n};
            View cond = condition(shape, random);
            View a = View.contiguous(shape, 2, random, Values.MIXED);
            View b = View.contiguous(shape, 3, random, Values.MIXED);
            View scalar = View.of(shape, new int[] {0}, 1, new boolean[] {true}, 1, random, Values.MIXED);
            checkWhere(cond, a, b);
            checkWhere(cond, a, scalar);
            checkWhere(cond, scalar, b);
            checkWhere(cond, scalar, scalar);
        }
        for (int[] shape : shapes()) {
            for (View cond : layoutsOf(shape, random)) {
                binarize(cond, random);
                for (View a : layoutsOf(shape, random)) {
                    checkWhere(cond, a, View.contiguous(shape, 1, random, Values.MIXED));
                }
            }
        }
    }

    @Test
    void copyMatchesScalar() {
        Random random = new Random(7);
        for (int n : SIZES) {
            int[] shape = {n};
            View contiguous = View.contiguous(shape, 2, random, Values.MIXED);
            View stepped = View.of(shape, new int[] {0}, 3, new boolean[1], 1, random, Values.MIXED);
            View scalar = View.of(shape, new int[] {0}, 1, new boolean[] {true}, 0, random, Values.MIXED);
            for (View src : List.of(contiguous, stepped, scalar)) {
                checkCopy(src, contiguous);
                checkCopy(src, stepped);
            }
        }
        for (View src : layouts(random)) {
            checkCopy(src, View.contiguous(src.shape(), 1, random, Values.MIXED));
        }
        for (int[] shape : shapes()) {
            for (View src : layoutsOf(shape, random)) {
                int rank = shape.length;
                checkCopy(src, View.of(shape, View.reversed(rank), 1, new boolean[rank], 2, random, Values.MIXED));
                if (rank > 0) {
                    checkCopy(src, View.sliced(shape, 2, 1, random, Values.MIXED));
                    checkCopy(src, View.of(shape, View.identity(rank), 2, new boolean[rank], 0, random, Values.MIXED));
                }
            }
        }
    }

    // A group of images' output gradient (N×O×H×W) copied into an O×(N·H·W) matrix: H and W
    // merge into one row per image and channel, which the copy takes as short planes when the
    // whole is small and walks over threads when it is not.
    @Test
    void copyMergesDimensionsContiguousInBothOperands() {
        Random random = new Random(11);
        for (int[] shape : List.of(new int[] {3, 5, 4, 6}, new int[] {2, 300, 16, 16}, new int[] {1, 7, 1, 9},
                new int[] {4, 3, 0, 2})) {
            int images = shape[0];
            int length = shape[2] * shape[3];
            View src = View.contiguous(shape, 3, random, Values.MIXED);
            int[] matrixStrides = {length, images * length, shape[3], 1};
            View matrix = new View(shape, new float[2 + Shapes.numel(shape)], 2, matrixStrides);
            checkCopy(src, matrix);
            checkCopy(new View(shape, src.data(), src.offset(), matrixStrides.clone()),
                    View.contiguous(shape, 1, random, Values.MIXED));
        }
    }

    // ---- checks -------------------------------------------------------------------------------

    static void checkMap(UnaryOp op, View src) {
        int n = src.numel();
        float[] expected = Floats.sentinels(DST_OFFSET + n + DST_PADDING);
        float[] actual = expected.clone();
        float[] before = src.data().clone();
        SCALAR.map(op, src.shape(), src.data(), src.offset(), src.strides(), expected, DST_OFFSET);
        VECTOR.map(op, src.shape(), src.data(), src.offset(), src.strides(), actual, DST_OFFSET);
        String context = op + " over " + src;
        Floats.assertClose(expected, actual, ulps(op), context);
        Floats.assertUntouched(actual, DST_OFFSET, n, context);
        assertTrue(Arrays.equals(before, src.data()), context + ": source modified");
    }

    static void checkZip(BinaryOp op, View a, View b) {
        int n = a.numel();
        float[] expected = Floats.sentinels(DST_OFFSET + n + DST_PADDING);
        float[] actual = expected.clone();
        SCALAR.zip(op, a.shape(), a.data(), a.offset(), a.strides(), b.data(), b.offset(), b.strides(),
                expected, DST_OFFSET);
        VECTOR.zip(op, a.shape(), a.data(), a.offset(), a.strides(), b.data(), b.offset(), b.strides(),
                actual, DST_OFFSET);
        String context = op + " of " + a + " and " + b;
        Floats.assertClose(expected, actual, ulps(op), context);
        Floats.assertUntouched(actual, DST_OFFSET, n, context);
    }

    // dst is a's (or b's) own storage at its own offset, as the Kernels contract allows.
    private static void checkZipInPlace(BinaryOp op, View a, View b, boolean overA) {
        int n = a.numel();
        float[] expected = Floats.sentinels(DST_OFFSET + n + DST_PADDING);
        SCALAR.zip(op, a.shape(), a.data(), a.offset(), a.strides(), b.data(), b.offset(), b.strides(),
                expected, DST_OFFSET);
        float[] aData = a.data().clone();
        float[] bData = b.data().clone();
        float[] dst = overA ? aData : bData;
        VECTOR.zip(op, a.shape(), aData, a.offset(), a.strides(), bData, b.offset(), b.strides(), dst, DST_OFFSET);
        String context = op + (overA ? " into a " : " into b ") + n;
        Floats.assertClose(Arrays.copyOfRange(expected, DST_OFFSET, DST_OFFSET + n),
                Arrays.copyOfRange(dst, DST_OFFSET, DST_OFFSET + n), ulps(op), context);
        float[] original = overA ? a.data() : b.data();
        for (int i = 0; i < dst.length; i++) {
            if (i < DST_OFFSET || i >= DST_OFFSET + n) {
                assertTrue(Floats.same(original[i], dst[i]), context + ": wrote outside at " + i);
            }
        }
    }

    private static void checkWhere(View cond, View a, View b) {
        int n = cond.numel();
        float[] expected = Floats.sentinels(DST_OFFSET + n + DST_PADDING);
        float[] actual = expected.clone();
        SCALAR.where(cond.shape(), cond.data(), cond.offset(), cond.strides(), a.data(), a.offset(), a.strides(),
                b.data(), b.offset(), b.strides(), expected, DST_OFFSET);
        VECTOR.where(cond.shape(), cond.data(), cond.offset(), cond.strides(), a.data(), a.offset(), a.strides(),
                b.data(), b.offset(), b.strides(), actual, DST_OFFSET);
        String context = "where " + cond + " ? " + a + " : " + b;
        Floats.assertClose(expected, actual, 0, context);
        Floats.assertUntouched(actual, DST_OFFSET, n, context);
    }

    // dstLayout gives the destination's shape, offset and strides (its values are not used).
    private static void checkCopy(View src, View dstLayout) {
        View dst = new View(dstLayout.shape(), Floats.sentinels(dstLayout.data().length), dstLayout.offset(),
                dstLayout.strides());
        float[] expected = dst.data().clone();
        float[] actual = dst.data();
        SCALAR.copy(src.shape(), src.data(), src.offset(), src.strides(), expected, dst.offset(), dst.strides());
        VECTOR.copy(src.shape(), src.data(), src.offset(), src.strides(), actual, dst.offset(), dst.strides());
        String context = "copy of " + src + " into " + dst;
        Floats.assertClose(expected, actual, 0, context);
        assertEquals(Arrays.toString(src.logical()), Arrays.toString(dst.logical()), context);
        boolean[] inView = new boolean[actual.length];
        for (int i = 0; i < dst.numel(); i++) {
            inView[dst.at(i)] = true;
        }
        for (int i = 0; i < actual.length; i++) {
            assertTrue(inView[i] || Floats.same(Floats.SENTINEL, actual[i]), context + ": wrote outside at " + i);
        }
    }

    // ---- operands -----------------------------------------------------------------------------

    /** Conditions: 0, -0, 1, NaN and other values (only exact zeros are false). */
    private static View condition(int[] shape, Random random) {
        View cond = View.contiguous(shape, 1, random, Values.MIXED);
        binarize(cond, random);
        return cond;
    }

    private static void binarize(View cond, Random random) {
        float[] choices = {0f, -0f, 1f, Float.NaN, 0.5f, -2f, Float.MIN_VALUE};
        for (int i = 0; i < cond.data().length; i++) {
            cond.data()[i] = choices[random.nextInt(choices.length)];
        }
    }

    static List<int[]> shapes() {
        return List.of(new int[0], new int[] {0}, new int[] {1}, new int[] {40}, new int[] {17, 33},
                new int[] {3, 4, 5}, new int[] {2, 3, 4, 5}, new int[] {4, 0, 3}, new int[] {7, 1, 65});
    }

    /** Operands of {@code shape}: contiguous, transposed, stepped, sliced and broadcast layouts. */
    static List<View> layoutsOf(int[] shape, Random random) {
        return layoutsOf(shape, random, Values.MIXED);
    }

    /** The same layouts, filled from {@code values}. */
    static List<View> layoutsOf(int[] shape, Random random, Values values) {
        int rank = shape.length;
        boolean[] none = new boolean[rank];
        boolean[] all = new boolean[rank];
        Arrays.fill(all, true);
        List<View> views = new ArrayList<>();
        views.add(View.contiguous(shape, 2, random, values));
        views.add(View.of(shape, View.identity(rank), 1, all, 1, random, values));
        if (rank > 0) {
            boolean[] inner = new boolean[rank];
            inner[rank - 1] = true;
            boolean[] outer = new boolean[rank];
            outer[0] = true;
            views.add(View.of(shape, View.reversed(rank), 1, none, 0, random, values));
            views.add(View.of(shape, View.identity(rank), 2, none, 3, random, values));
            views.add(View.of(shape, View.identity(rank), 1, inner, 1, random, values));
            views.add(View.of(shape, View.identity(rank), 1, outer, 0, random, values));
            views.add(View.sliced(shape, 3, 1, random, values));
        }
        return views;
    }

    /** Single operands of many shapes and layouts, for the unary kernels. */
    static List<View> layouts(Random random) {
        List<View> views = new ArrayList<>();
        for (int[] shape : shapes()) {
            views.addAll(layoutsOf(shape, random));
        }
        views.add(View.of(new int[] {4, 5, 6}, new int[] {2, 0, 1}, 1, new boolean[3], 2, random, Values.MIXED));
        views.add(View.of(new int[] {33, 17}, new int[] {1, 0}, 3, new boolean[2], 0, random, Values.MIXED));
        views.add(View.sliced(new int[] {3, 100}, 7, 0, random, Values.MIXED));
        views.add(View.of(new int[] {2, 3, 1, 5}, new int[] {3, 1, 2, 0}, 2, new boolean[4], 1, random, Values.MIXED));
        return views;
    }
}
