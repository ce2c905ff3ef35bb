package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vectorgrad.GradCheck.check;
import static org.vectorgrad.GradCheck.checkSecondOrder;
import static org.vectorgrad.GradCheck.constant;
import static org.vectorgrad.GradCheck.leaf;
import static org.vectorgrad.GradCheck.narrowedLeaf;
import static org.vectorgrad.GradCheck.transposedLeaf;
import static org.vectorgrad.GradCheck.uniform;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks (see {@link GradCheck}) of min, minimum, clamp, var and std, first and
 * second order, on inputs kept away from their kinks (ties, the clamp bounds), plus their NaN
 * rules.
 */
final class MinClampVarGradTest {
    private static final float LO = -0.5f;
    private static final float HI = 0.75f;

    // ---- inputs and references ------------------------------------------------------------------

    /** Values in [-2, 2] at least 0.1 from both clamp bounds (finite differences step 1e-4). */
    private static float[] awayFromBounds(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            do {
                out[i] = (float) (4 * random.nextDouble() - 2);
            } while (Math.abs(out[i] - LO) < 0.1 || Math.abs(out[i] - HI) < 0.1);
        }
        return out;
    }

    /** {@code a} shifted by ±(0.1 .. 0.6) elementwise: a partner never within 0.1 of it. */
    private static float[] apartFrom(Random random, float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            double shift = 0.1 + 0.5 * random.nextDouble();
            out[i] = (float) (random.nextBoolean() ? a[i] + shift : a[i] - shift);
        }
        return out;
    }

    static Ref varRef(Ref x, int dim, boolean unbiased, boolean keepDim) {
        if (x.dim() == 0) {
            return Ref.scalar(unbiased ? Double.NaN : 0);
        }
        int n = x.shape()[dim < 0 ? dim + x.dim() : dim];
        Ref centred = x.sub(x.mean(dim, true));
        return centred.mul(centred).sum(new int[] {dim}, keepDim).scale(1.0 / (n - (unbiased ? 1 : 0)));
    }

    static Ref stdRef(Ref x, int dim, boolean unbiased, boolean keepDim) {
        return varRef(x, dim, unbiased, keepDim).map(Math::sqrt);
    }

    // ---- min and minimum ------------------------------------------------------------------------

    @Test
    void minOfAllWithUniqueMinimum() {
        Random random = new Random(81);
        GradCheck.Op op = x -> x[0].min();
        GradCheck.Reference reference = x -> Ref.scalar(Arrays.stream(x[0].v()).min().orElseThrow());
        check("min 0-d", op, reference, leaf(ReductionsGradTest.distinct(random, 1)));
        check("min [7]", op, reference, leaf(ReductionsGradTest.distinct(random, 7), 7));
        check("min transposed [4,3]", op, reference, transposedLeaf(ReductionsGradTest.distinct(random, 12), 4, 3));
        check("min narrowed [2,1,5]", op, reference, narrowedLeaf(ReductionsGradTest.distinct(random, 10), 2, 1, 5));
        checkSecondOrder("min", op, reference, leaf(ReductionsGradTest.distinct(random, 12), 3, 4));
    }

    @Test
    void minimumBroadcastsAndReducesItsGradients() {
        Random random = new Random(82);
        GradCheck.Op op = x -> x[0].minimum(x[1]);
        GradCheck.Reference reference = x -> x[0].zip(x[1], Math::min);
        float[] a = uniform(random, 12, -2, 2);
        check("minimum [3,4]", op, reference, leaf(a, 3, 4), leaf(apartFrom(random, a), 3, 4));
        check("minimum transposed with narrowed", op, reference, transposedLeaf(a, 4, 3),
                narrowedLeaf(apartFrom(random, a), 4, 3));
        float[] column = {-1.1f, 0.3f, 1.45f};
        float[] row = {-1.8f, -0.6f, 0.8f, 2.1f};
        check("minimum [3,1] with [1,4]", op, reference, leaf(column, 3, 1), leaf(row, 1, 4));
        check("minimum [2,3] with 0-d", op, reference, leaf(new float[] {-1, 0.2f, 0.9f, 1.3f, -0.4f, 2}, 2, 3),
                leaf(new float[] {0.55f}));
        check("minimum with a constant", op, reference, leaf(a, 3, 4), constant(apartFrom(random, a), 3, 4));
        checkSecondOrder("minimum [3,1] with [1,4]", op, reference, leaf(column, 3, 1), leaf(row, 1, 4));
    }

    @Test
    void minimumSplitsTiesAndGivesBothInputsTheGradientWhereEitherIsNaN() {
        Tensor a = leaf(new float[] {1, Float.NaN, 3, 2}, 4);
        Tensor b = leaf(new float[] {1, 2, Float.NaN, 5}, 4);
        a.minimum(b).backward(Tensor.of(4f, 4f, 4f, 4f));
        assertArrayEquals(new float[] {2, 4, 4, 4}, a.grad().toArray());
        assertArrayEquals(new float[] {2, 4, 4, 0}, b.grad().toArray());
    }

    @Test
    void minOfAllSharesTiesAndNaNs() {
        Tensor ties = leaf(new float[] {3, 1, 1, 5, 1}, 5);
        ties.min().backward(Tensor.scalar(6f));
        assertArrayEquals(new float[] {0, 2, 2, 0, 2}, ties.grad().toArray());
        Tensor nans = leaf(new float[] {1, Float.NaN, -2, Float.NaN}, 4);
        Tensor min = nans.min();
        assertTrue(Float.isNaN(min.item()));
        min.backward(Tensor.scalar(6f));
        assertArrayEquals(new float[] {0, 3, 0, 3}, nans.grad().toArray());
    }

    // ---- clamp ----------------------------------------------------------------------------------

    @Test
    void clampOnEveryLayout() {
        Random random = new Random(83);
        GradCheck.Op op = x -> x[0].clamp(LO, HI);
        GradCheck.Reference reference = x -> x[0].map(v -> Math.min(Math.max(v, LO), HI));
        check("clamp 0-d", op, reference, leaf(awayFromBounds(random, 1)));
        check("clamp [9]", op, reference, leaf(awayFromBounds(random, 9), 9));
        check("clamp transposed [4,3]", op, reference, transposedLeaf(awayFromBounds(random, 12), 4, 3));
        check("clamp narrowed [2,1,5]", op, reference, narrowedLeaf(awayFromBounds(random, 10), 2, 1, 5));
        check("clamp permuted [2,3,4]", x -> x[0].permute(2, 0, 1).clamp(LO, HI),
                x -> x[0].permute(2, 0, 1).map(v -> Math.min(Math.max(v, LO), HI)),
                leaf(awayFromBounds(random, 24), 2, 3, 4));
        check("clamp with min > max", x -> x[0].clamp(HI, LO), x -> x[0].map(v -> LO),
                leaf(awayFromBounds(random, 6), 2, 3));
        checkSecondOrder("clamp", op, reference, leaf(awayFromBounds(random, 12), 3, 4));
        checkSecondOrder("clamp of a square", x -> x[0].mul(x[0]).clamp(LO, HI),
                x -> x[0].mul(x[0]).map(v -> Math.min(Math.max(v, LO), HI)),
                leaf(new float[] {0.3f, -0.6f, 1.2f, -0.1f}, 4));
    }

    @Test
    void clampPassesTheGradientAtTheBoundsAndNotAtNaN() {
        Tensor x = leaf(new float[] {-1, LO, 0, HI, 1, Float.NaN}, 6);
        Tensor y = x.clamp(LO, HI);
        assertArrayEquals(new float[] {LO, LO, 0, HI, HI, Float.NaN}, y.toArray());
        y.backward(Tensor.full(2f, 6));
        assertArrayEquals(new float[] {0, 2, 2, 2, 0, 0}, x.grad().toArray());
    }

    // ---- var and std ----------------------------------------------------------------------------

    @ParameterizedTest(name = "unbiased={0}")
    @ValueSource(booleans = {true, false})
    void varAndStdAlongEveryDim(boolean unbiased) {
        Random random = new Random(84);
        for (boolean keep : new boolean[] {false, true}) {
            for (int dim : new int[] {0, 1, -1, -2}) {
                String label = "(" + dim + ", " + unbiased + ", " + keep + ")";
                float[] values = uniform(random, 12, -2, 2);
                check("var" + label + " [3,4]", x -> x[0].var(dim, unbiased, keep),
                        x -> varRef(x[0], dim, unbiased, keep), leaf(values, 3, 4));
                check("std" + label + " transposed [4,3]", x -> x[0].std(dim, unbiased, keep),
                        x -> stdRef(x[0], dim, unbiased, keep), transposedLeaf(values, 4, 3));
            }
            check("var 1-D odd", x -> x[0].var(0, unbiased, keep), x -> varRef(x[0], 0, unbiased, keep),
                    leaf(uniform(random, 7, -2, 2), 7));
            check("std narrowed [3,1,7] dim -1", x -> x[0].std(-1, unbiased, keep),
                    x -> stdRef(x[0], -1, unbiased, keep), narrowedLeaf(uniform(random, 21, -2, 2), 3, 1, 7));
            check("var permuted [2,3,4] dim 1", x -> x[0].permute(2, 0, 1).var(1, unbiased, keep),
                    x -> varRef(x[0].permute(2, 0, 1), 1, unbiased, keep), leaf(uniform(random, 24, -2, 2), 2, 3, 4));
        }
    }

    @Test
    void biasedVarianceOfOneElementIsZeroWithZeroGradient() {
        Random random = new Random(85);
        check("var 0-d biased", x -> x[0].var(0, false, false), x -> Ref.scalar(0), leaf(uniform(random, 1, -2, 2)));
        check("std 0-d biased", x -> x[0].std(-1, false, true), x -> Ref.scalar(0), leaf(uniform(random, 1, -2, 2)));
        check("std of size-1 dim biased", x -> x[0].std(1, false, false), x -> stdRef(x[0], 1, false, false),
                leaf(uniform(random, 6, -2, 2), 2, 1, 3));
    }

    @Test
    void unbiasedVarianceOfOneElementIsNaNAsInPyTorch() {
        Tensor x = leaf(new float[] {1, 2}, 2, 1);
        Tensor var = x.var(1, true, false);
        assertTrue(Float.isNaN(var.get(0)) && Float.isNaN(var.get(1)));
        var.sum().backward();
        assertTrue(Float.isNaN(x.grad().get(0, 0)) && Float.isNaN(x.grad().get(1, 0)));
        assertTrue(Float.isNaN(Tensor.scalar(3f).std(0, true, false).item()));
        Tensor empty = Tensor.zeros(2, 0).var(1, false, false);
        assertEquals(2, empty.numel());
        assertTrue(Float.isNaN(empty.get(0)));
    }

    @Test
    void stdOfAConstantLineHasZeroGradient() {
        Tensor x = leaf(new float[] {1, 1, 1, 2, 3, 4}, 2, 3);
        x.std(1, true, false).backward(Tensor.of(1f, 1f));
        assertArrayEquals(new float[] {0, 0, 0}, Arrays.copyOf(x.grad().toArray(), 3));
    }

    @Test
    void secondOrderOfVarAndStd() {
        Random random = new Random(86);
        Tensor x = leaf(uniform(random, 12, -2, 2), 3, 4);
        checkSecondOrder("var(1)", t -> t[0].var(1, true, false), t -> varRef(t[0], 1, true, false), x);
        checkSecondOrder("var(0, biased, keep)", t -> t[0].var(0, false, true), t -> varRef(t[0], 0, false, true), x);
        checkSecondOrder("std(-1)", t -> t[0].std(-1, true, false), t -> stdRef(t[0], -1, true, false), x);
        checkSecondOrder("std(0, biased, keep) transposed", t -> t[0].std(0, false, true),
                t -> stdRef(t[0], 0, false, true), transposedLeaf(uniform(random, 12, -2, 2), 4, 3));
        checkSecondOrder("standardise", t -> t[0].sub(t[0].mean(0, true)).div(t[0].std(0, true, true)),
                t -> t[0].sub(t[0].mean(0, true)).div(stdRef(t[0], 0, true, true)), x);
    }
}
