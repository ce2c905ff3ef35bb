package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrowsExactly;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vectorgrad.GradCheck.check;
import static org.vectorgrad.GradCheck.checkSecondOrder;
import static org.vectorgrad.GradCheck.constant;
import static org.vectorgrad.GradCheck.leaf;
import static org.vectorgrad.GradCheck.narrowedLeaf;
import static org.vectorgrad.GradCheck.transposedLeaf;
import static org.vectorgrad.GradCheck.uniform;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (see {@link GradCheck}) of cat, stack and indexSelect, first and second
 * order, against the double references below, plus the rules PyTorch's fixtures cannot show.
 */
final class JoinsGradTest {

    // ---- double references ------------------------------------------------------------------

    /** PyTorch's cat: shape-[0] tensors are skipped; with nothing left the result is shape [0]. */
    static Ref catRef(int dim, Ref... xs) {
        List<Ref> kept = Arrays.stream(xs).filter(x -> !(x.dim() == 1 && x.v().length == 0)).toList();
        if (kept.isEmpty()) {
            return new Ref(new int[] {0}, new double[0]);
        }
        int[] shape = kept.get(0).shape().clone();
        int d = dim < 0 ? dim + shape.length : dim;
        shape[d] = kept.stream().mapToInt(x -> x.shape()[d]).sum();
        int[] strides = Ref.rowMajorStrides(shape);
        double[] out = new double[Ref.numel(shape)];
        int start = 0;
        for (Ref x : kept) {
            for (int i = 0; i < x.v().length; i++) {
                int[] index = Ref.unravel(i, x.shape());
                index[d] += start;
                out[flat(index, strides)] = x.v()[i];
            }
            start += x.shape()[d];
        }
        return new Ref(shape, out);
    }

    static Ref stackRef(int dim, Ref... xs) {
        int d = dim < 0 ? dim + xs[0].dim() + 1 : dim;
        return catRef(d, Arrays.stream(xs).map(x -> x.unsqueeze(d)).toArray(Ref[]::new));
    }

    static Ref indexSelectRef(Ref x, int dim, int[] idx) {
        if (x.dim() == 0) {
            return x;
        }
        int d = dim < 0 ? dim + x.dim() : dim;
        int[] shape = x.shape().clone();
        shape[d] = idx.length;
        int[] strides = Ref.rowMajorStrides(x.shape());
        double[] out = new double[Ref.numel(shape)];
        for (int i = 0; i < out.length; i++) {
            int[] index = Ref.unravel(i, shape);
            index[d] = idx[index[d]];
            out[i] = x.v()[flat(index, strides)];
        }
        return new Ref(shape, out);
    }

    private static int flat(int[] index, int[] strides) {
        int at = 0;
        for (int d = 0; d < index.length; d++) {
            at += index[d] * strides[d];
        }
        return at;
    }

    // ---- cat ------------------------------------------------------------------------------------

    @Test
    void catAlongEachDimOfContiguousTransposedAndNarrowedInputs() {
        Random random = new Random(71);
        for (int dim : new int[] {0, 1, -1, -2}) {
            int d = dim < 0 ? dim + 2 : dim;
            int[] a = d == 0 ? new int[] {3, 5} : new int[] {5, 3};
            int[] b = d == 0 ? new int[] {2, 5} : new int[] {5, 2};
            int[] c = d == 0 ? new int[] {1, 5} : new int[] {5, 1};
            check("cat dim " + dim, x -> Tensor.cat(List.of(x), dim), x -> catRef(dim, x),
                    leaf(uniform(random, 15, -2, 2), a), transposedLeaf(uniform(random, 10, -2, 2), b),
                    narrowedLeaf(uniform(random, 5, -2, 2), c));
        }
    }

    @Test
    void catOfPermutedInputsConstantsAndLegacyEmptyTensors() {
        Random random = new Random(72);
        check("cat of permuted [2,3,4] along 1", x -> Tensor.cat(List.of(x[0].permute(2, 0, 1), x[1]), 1),
                x -> catRef(1, x[0].permute(2, 0, 1), x[1]), leaf(uniform(random, 24, -2, 2), 2, 3, 4),
                leaf(uniform(random, 60, -2, 2), 4, 5, 3));
        check("cat with a constant and shape-[0] tensors", x -> Tensor.cat(List.of(x), -1),
                x -> catRef(-1, x), leaf(new float[0], 0), leaf(uniform(random, 6, -2, 2), 2, 3),
                constant(uniform(random, 2, -2, 2), 2, 1), leaf(new float[0], 0));
        check("cat of only shape-[0] tensors", x -> Tensor.cat(List.of(x), 0), x -> catRef(0, x),
                leaf(new float[0], 0), leaf(new float[0], 0));
        check("cat 1-D odd sizes", x -> Tensor.cat(List.of(x), 0), x -> catRef(0, x),
                leaf(uniform(random, 7, -2, 2), 7), leaf(uniform(random, 1, -2, 2), 1));
        check("cat with an empty block", x -> Tensor.cat(List.of(x), 1), x -> catRef(1, x),
                leaf(new float[0], 2, 0), leaf(uniform(random, 6, -2, 2), 2, 3));
    }

    // ---- stack ----------------------------------------------------------------------------------

    @Test
    void stackAlongEveryNewDim() {
        Random random = new Random(73);
        for (int dim = -3; dim <= 2; dim++) {
            int d = dim;
            check("stack [2,3] dim " + d, x -> Tensor.stack(List.of(x), d), x -> stackRef(d, x),
                    leaf(uniform(random, 6, -2, 2), 2, 3), transposedLeaf(uniform(random, 6, -2, 2), 2, 3),
                    narrowedLeaf(uniform(random, 6, -2, 2), 2, 3));
        }
        check("stack 0-d", x -> Tensor.stack(List.of(x), 0), x -> stackRef(0, x),
                leaf(uniform(random, 1, -2, 2)), leaf(uniform(random, 1, -2, 2)), leaf(uniform(random, 1, -2, 2)));
        check("stack 0-d dim -1", x -> Tensor.stack(List.of(x), -1), x -> stackRef(-1, x),
                leaf(uniform(random, 1, -2, 2)), constant(uniform(random, 1, -2, 2)));
        check("stack one [1,5]", x -> Tensor.stack(List.of(x), 1), x -> stackRef(1, x),
                leaf(uniform(random, 5, -2, 2), 1, 5));
    }

    // ---- indexSelect ----------------------------------------------------------------------------

    @Test
    void indexSelectWithRepeatsRunsAndEveryLayout() {
        Random random = new Random(74);
        int[][] indices = {{4, 0, 2, 2}, {1, 2, 3}, {3, 3, 3, 0, 1, 2, 3, 4}, {}};
        for (int[] idx : indices) {
            String label = " idx " + Arrays.toString(idx);
            check("dim 0 [5,3]" + label, x -> x[0].indexSelect(0, idx), x -> indexSelectRef(x[0], 0, idx),
                    leaf(uniform(random, 15, -2, 2), 5, 3));
            check("dim -1 transposed [3,5]" + label, x -> x[0].indexSelect(-1, idx),
                    x -> indexSelectRef(x[0], -1, idx), transposedLeaf(uniform(random, 15, -2, 2), 3, 5));
            check("dim 1 narrowed [2,5,3]" + label, x -> x[0].indexSelect(1, idx), x -> indexSelectRef(x[0], 1, idx),
                    narrowedLeaf(uniform(random, 30, -2, 2), 2, 5, 3));
        }
        int[] ones = {0, 0, 0};
        check("size-1 dim", x -> x[0].indexSelect(0, ones), x -> indexSelectRef(x[0], 0, ones),
                leaf(uniform(random, 3, -2, 2), 1, 3));
        check("0-d", x -> x[0].indexSelect(0, new int[] {0}), x -> x[0], leaf(uniform(random, 1, -2, 2)));
        check("permuted [2,3,4] dim 2", x -> x[0].permute(1, 2, 0).indexSelect(2, new int[] {1, 0, 1}),
                x -> indexSelectRef(x[0].permute(1, 2, 0), 2, new int[] {1, 0, 1}),
                leaf(uniform(random, 24, -2, 2), 2, 3, 4));
    }

    // ---- second order ---------------------------------------------------------------------------

    @Test
    void secondOrder() {
        Random random = new Random(75);
        Tensor a = leaf(uniform(random, 6, -2, 2), 2, 3);
        Tensor b = transposedLeaf(uniform(random, 4, -2, 2), 2, 2);
        checkSecondOrder("cat", x -> Tensor.cat(List.of(x), 1), x -> catRef(1, x), a, b);
        checkSecondOrder("cat of products", x -> Tensor.cat(List.of(x[0].mul(x[0]), x[1].tanh()), 1),
                x -> catRef(1, x[0].mul(x[0]), x[1].map(Math::tanh)), a, b);
        checkSecondOrder("stack", x -> Tensor.stack(List.of(x[0], x[1].mul(x[0])), 2),
                x -> stackRef(2, x[0], x[1].mul(x[0])), a, leaf(uniform(random, 6, -2, 2), 2, 3));
        int[] idx = {2, 0, 2, 1, 2};
        checkSecondOrder("indexSelect", x -> x[0].indexSelect(1, idx), x -> indexSelectRef(x[0], 1, idx), a);
        checkSecondOrder("indexSelect of a square", x -> x[0].mul(x[0]).indexSelect(1, idx),
                x -> indexSelectRef(x[0].mul(x[0]), 1, idx), a);
    }

    // ---- what the fixtures cannot show ----------------------------------------------------------

    @Test
    void repeatedIndicesAccumulateTheirGradients() {
        Tensor x = leaf(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        x.indexSelect(0, new int[] {1, 1, 2, 1}).sum().backward();
        assertArrayEquals(new float[] {0, 0, 3, 3, 1, 1}, x.grad().toArray());
    }

    @Test
    void resultsAreContiguousCopiesAndKeepBoolOnlyWhenEveryInputIsBool() {
        Tensor x = Tensor.arange(6).reshape(2, 3).t();
        for (Tensor y : new Tensor[] {Tensor.cat(List.of(x, x), 0), Tensor.stack(List.of(x, x), 2),
            x.indexSelect(1, new int[] {1, 0})}) {
            assertTrue(y.isContiguous());
        }
        Tensor flags = Tensor.of(0f, 1f).gt(Tensor.scalar(0.5f));
        assertEquals(DType.BOOL, Tensor.cat(List.of(flags, flags), 0).dtype());
        assertEquals(DType.BOOL, Tensor.stack(List.of(flags, flags), 0).dtype());
        assertEquals(DType.BOOL, flags.indexSelect(0, new int[] {1}).dtype());
        Tensor mixed = Tensor.cat(List.of(flags, Tensor.of(2f)), 0);
        assertEquals(DType.FLOAT32, mixed.dtype());
        assertArrayEquals(new float[] {0, 1, 2}, mixed.toArray());
    }

    /** PyTorch returns the 0-d tensor for any index count (and garbage for none); here only [0] is allowed. */
    @Test
    void aZeroDimTensorTakesExactlyOneIndex() {
        Tensor x = Tensor.scalar(5f);
        assertEquals(5f, x.indexSelect(0, new int[] {0}).item());
        for (int[] idx : new int[][] {{}, {0, 0}}) {
            String message = assertThrowsExactly(IllegalArgumentException.class, () -> x.indexSelect(0, idx))
                    .getMessage();
            assertTrue(message.contains("exactly one index"), message);
        }
    }

    @Test
    void nullListEntriesAreNamed() {
        List<Tensor> withNull = new ArrayList<>(List.of(Tensor.zeros(2)));
        withNull.add(null);
        for (Runnable call : new Runnable[] {() -> Tensor.cat(withNull, 0), () -> Tensor.stack(withNull, 0)}) {
            String message = assertThrowsExactly(IllegalArgumentException.class, call::run).getMessage();
            assertTrue(message.contains("tensor number 1"), message);
        }
    }
}
