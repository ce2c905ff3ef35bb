package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.vectorgrad.GradCheck.check;
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
 * Finite-difference checks (see {@link GradCheck}) of sums, means, maxima, the norm, softmax,
 * log-softmax and {@code sumToSize}, plus PyTorch's subgradients at ties and at a zero norm.
 */
final class ReductionsGradTest {

    /** Values at least 0.4 apart (a shuffled grid with jitter), so every maximum is unique. */
    static float[] distinct(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (0.5 * i - 0.25 * n + 0.05 * random.nextDouble());
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float swap = out[i];
            out[i] = out[j];
            out[j] = swap;
        }
        return out;
    }

    private static Ref scalar(double value) {
        return Ref.scalar(value);
    }

    @Test
    void sumOfAll() {
        Random random = new Random(21);
        GradCheck.Op op = x -> x[0].sum();
        GradCheck.Reference reference = x -> scalar(x[0].sumAll());
        check("sum 0-d", op, reference, leaf(uniform(random, 1, -2, 2)));
        check("sum [5]", op, reference, leaf(uniform(random, 5, -2, 2), 5));
        check("sum [2,3,5]", op, reference, leaf(uniform(random, 30, -2, 2), 2, 3, 5));
        check("sum transposed [4,3]", op, reference, transposedLeaf(uniform(random, 12, -2, 2), 4, 3));
    }

    @ParameterizedTest(name = "keepDim={0}")
    @ValueSource(booleans = {false, true})
    void sumAlongOneDim(boolean keep) {
        Random random = new Random(22);
        for (int dim : new int[] {0, 1, 2, -1, -3}) {
            check("sum(" + dim + ", " + keep + ") [3,1,5]", x -> x[0].sum(dim, keep),
                    x -> x[0].sum(new int[] {dim}, keep), leaf(uniform(random, 15, -2, 2), 3, 1, 5));
        }
        check("sum(1) narrowed [3,7]", x -> x[0].sum(1, keep), x -> x[0].sum(new int[] {1}, keep),
                narrowedLeaf(uniform(random, 21, -2, 2), 3, 7));
        check("sum(0) 0-d", x -> x[0].sum(0, keep), x -> x[0].sum(new int[0], keep),
                leaf(uniform(random, 1, -2, 2)));
    }

    @ParameterizedTest(name = "keepDim={0}")
    @ValueSource(booleans = {false, true})
    void sumAlongSeveralDims(boolean keep) {
        Random random = new Random(23);
        int[][] dimSets = {{0, 2}, {-1, 0}, {1}, {0, 1, 2}};
        for (int[] dims : dimSets) {
            check("sum(" + Arrays.toString(dims) + ", " + keep + ") [2,3,5]", x -> x[0].sum(dims, keep),
                    x -> x[0].sum(dims, keep), transposedLeaf(uniform(random, 30, -2, 2), 2, 3, 5));
        }
    }

    @Test
    void meanOfAllAndAlongDims() {
        Random random = new Random(24);
        check("mean 0-d", x -> x[0].mean(), x -> x[0], leaf(uniform(random, 1, -2, 2)));
        check("mean [3,5]", x -> x[0].mean(), x -> scalar(x[0].sumAll() / 15),
                transposedLeaf(uniform(random, 15, -2, 2), 3, 5));
        for (boolean keep : new boolean[] {false, true}) {
            for (int dim : new int[] {0, 1, -1}) {
                check("mean(" + dim + ", " + keep + ") [3,7]", x -> x[0].mean(dim, keep),
                        x -> x[0].mean(dim, keep), narrowedLeaf(uniform(random, 21, -2, 2), 3, 7));
            }
            check("mean(0, " + keep + ") 0-d", x -> x[0].mean(0, keep), x -> x[0],
                    leaf(uniform(random, 1, -2, 2)));
        }
    }

    @Test
    void maxOfAllWithUniqueMaximum() {
        Random random = new Random(25);
        GradCheck.Op op = x -> x[0].max();
        GradCheck.Reference reference = x -> scalar(x[0].maxAll());
        check("max 0-d", op, reference, leaf(distinct(random, 1)));
        check("max [3,5]", op, reference, leaf(distinct(random, 15), 3, 5));
        check("max transposed [4,3]", op, reference, transposedLeaf(distinct(random, 12), 4, 3));
    }

    @ParameterizedTest(name = "keepDim={0}")
    @ValueSource(booleans = {false, true})
    void maxAlongDim(boolean keep) {
        Random random = new Random(26);
        for (int dim : new int[] {0, 1, 2, -2}) {
            check("max(" + dim + ", " + keep + ") [3,1,5]", x -> x[0].max(dim, keep), x -> x[0].max(dim, keep),
                    leaf(distinct(random, 15), 3, 1, 5));
        }
        check("max(1) transposed [5,3]", x -> x[0].max(1, keep), x -> x[0].max(1, keep),
                transposedLeaf(distinct(random, 15), 5, 3));
        check("max(0) [7]", x -> x[0].max(0, keep), x -> x[0].max(0, keep), leaf(distinct(random, 7), 7));
        check("max(0) 0-d", x -> x[0].max(0, keep), x -> x[0], leaf(distinct(random, 1)));
    }

    @Test
    void norm() {
        Random random = new Random(27);
        GradCheck.Op op = x -> x[0].norm();
        GradCheck.Reference reference = x -> scalar(Math.sqrt(x[0].mul(x[0]).sumAll()));
        check("norm 0-d", op, reference, leaf(new float[] {-1.5f}));
        check("norm [5]", op, reference, leaf(uniform(random, 5, -2, 2), 5));
        check("norm narrowed [3,7]", op, reference, narrowedLeaf(uniform(random, 21, -2, 2), 3, 7));
    }

    @Test
    void softmaxAndLogSoftmax() {
        Random random = new Random(28);
        int[][] shapes = {{}, {5}, {3, 4}, {2, 3, 4}, {3, 1}};
        for (int[] shape : shapes) {
            for (int dim = -Math.max(shape.length, 1); dim < Math.max(shape.length, 1); dim++) {
                int d = dim;
                float[] values = uniform(random, Ref.numel(shape), -3, 3);
                String where = Arrays.toString(shape) + " dim " + d;
                check("softmax " + where, x -> x[0].softmax(d), x -> x[0].softmax(d), leaf(values, shape));
                check("logSoftmax " + where, x -> x[0].logSoftmax(d), x -> x[0].logSoftmax(d),
                        leaf(values, shape));
            }
        }
        check("softmax transposed", x -> x[0].softmax(1), x -> x[0].softmax(1),
                transposedLeaf(uniform(random, 15, -3, 3), 3, 5));
        check("logSoftmax narrowed", x -> x[0].logSoftmax(-1), x -> x[0].logSoftmax(-1),
                narrowedLeaf(uniform(random, 14, -3, 3), 2, 7));
    }

    @Test
    void sumToSize() {
        Random random = new Random(29);
        int[][][] cases = {{{3, 4}, {3, 1}}, {{3, 4}, {1, 4}}, {{2, 3, 4}, {3, 1}}, {{2, 3, 4}, {4}},
            {{2, 3}, {}}, {{2, 3}, {2, 3}}, {{2, 1, 5}, {1, 1, 1}}};
        for (int[][] c : cases) {
            check("sumToSize " + Arrays.toString(c[0]) + " -> " + Arrays.toString(c[1]), x -> x[0].sumToSize(c[1]),
                    x -> x[0].sumTo(c[1]), leaf(uniform(random, Ref.numel(c[0]), -2, 2), c[0]));
        }
    }

    // ---- ties and zero norm: PyTorch's subgradients --------------------------------------------

    @Test
    void maxOfAllSplitsTiesEvenly() {
        Tensor x = leaf(new float[] {3f, 1f, 3f, 3f, -2f}, 5);
        x.max().backward(Tensor.scalar(6f));
        assertArrayEquals(new float[] {2f, 0f, 2f, 2f, 0f}, x.grad().toArray());
    }

    @Test
    void maxAlongDimGivesTheTiedGradientToOneIndexOnly() {
        Tensor x = leaf(new float[] {3f, 1f, 3f, 2f, 5f, 5f}, 2, 3);
        x.max(1, false).backward(Tensor.of(7f, 9f));
        assertArrayEquals(new float[] {7f, 0f, 0f, 0f, 9f, 0f}, x.grad().toArray(), "first maximum wins");
    }

    @Test
    void normAtZeroHasZeroGradient() {
        Tensor x = leaf(new float[] {0f, 0f, 0f}, 3);
        x.norm().backward(Tensor.scalar(5f));
        assertArrayEquals(new float[] {0f, 0f, 0f}, x.grad().toArray());
    }
}
