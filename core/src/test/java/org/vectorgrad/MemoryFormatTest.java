package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Elementwise results laid out in their inputs' stride order ({@link MemoryFormat}): every layout
 * it produces is dense and holds the same values as the row-major computation, including inputs
 * large enough for the kernels to go parallel; PyTorch's strides themselves are checked by
 * {@link AutogradDefectsTest}. Gradients summed in the engine keep working in any stride order.
 */
final class MemoryFormatTest {

    /** x of the given shape, stored with its dimensions in the order {@code storage} (outermost first). */
    private static Tensor permuted(Random random, int[] shape, int[] storage) {
        int[] stored = MemoryFormat.reorder(shape, storage);
        float[] values = GradCheck.uniform(random, Ref.numel(shape), -2, 2);
        int[] inverse = new int[storage.length];
        for (int d = 0; d < storage.length; d++) {
            inverse[storage[d]] = d;
        }
        return Tensor.fromArray(values, stored).permute(inverse);
    }

    @Test
    void randomPermutedAndBroadcastInputsGiveDenseResultsWithRowMajorValues() {
        Random random = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int rank = 1 + random.nextInt(4);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + random.nextInt(4);
            }
            Tensor a = permuted(random, shape, shuffled(random, rank));
            int[] smaller = shape.clone();
            smaller[random.nextInt(rank)] = 1;
            Tensor b = permuted(random, smaller, shuffled(random, rank));
            Tensor sum = a.add(b);
            Tensor exp = b.exp();
            String label = Arrays.toString(shape) + " strides " + Arrays.toString(a.stride()) + " + "
                    + Arrays.toString(b.stride());
            assertTrue(MemoryFormat.isDense(sum.layout), label + " gives " + Arrays.toString(sum.stride()));
            assertTrue(MemoryFormat.isDense(exp.layout), label);
            assertArrayEquals(a.contiguous().add(b.contiguous()).toArray(), sum.toArray(), label);
            assertArrayEquals(b.contiguous().exp().toArray(), exp.toArray(), label);
        }
    }

    // Results share an input's layout only when it is exactly a fresh row-major one: a size-1
    // dimension's odd stride or a nonzero offset must not leak into the result. Strides as
    // PyTorch 1.13 printed them (a scalar operand takes TensorIterator's sort, which keeps (1, 3)).
    @Test
    void resultsOfContiguousInputsWithOddSizeOneStridesOrOffsetsGetFreshStrides() {
        Tensor oddStride = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1).narrow(1, 0, 1);
        assertArrayEquals(new int[] {1, 3}, oddStride.stride());
        assertArrayEquals(new int[] {1, 1}, oddStride.add(oddStride).stride());
        assertArrayEquals(new int[] {1, 1}, oddStride.exp().stride());
        assertArrayEquals(new int[] {1, 3}, oddStride.mul(2f).stride());
        Tensor offset = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7}, 7).narrow(0, 1, 6).view(2, 3);
        Tensor sum = offset.add(offset);
        assertEquals(0, sum.layout.offset);
        assertArrayEquals(new float[] {4, 6, 8, 10, 12, 14}, sum.toArray());
        Tensor fresh = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertTrue(fresh.mul(3f).layout == fresh.layout, "a fresh row-major layout is shared, not rebuilt");
    }

    @Test
    void largePermutedInputsTakeTheParallelKernelsInTheirOwnOrder() {
        Random random = new Random(12);
        int[] shape = {37, 129, 67};
        Tensor x = permuted(random, shape, new int[] {2, 0, 1});
        Tensor y = permuted(random, shape, new int[] {2, 0, 1});
        Tensor sum = x.add(y);
        assertArrayEquals(x.stride(), sum.stride(), "same-layout inputs give their layout");
        assertFalse(sum.isContiguous());
        assertArrayEquals(x.contiguous().add(y.contiguous()).toArray(), sum.toArray());
        Tensor where = Tensor.where(x.gt(Tensor.scalar(0f)), x, y.sigmoid());
        assertArrayEquals(x.stride(), where.stride());
        assertArrayEquals(Tensor.where(x.contiguous().gt(Tensor.scalar(0f)), x.contiguous(), y.contiguous().sigmoid())
                .toArray(), where.toArray());
    }

    @Test
    void contiguousInputsStayOnTheRowMajorPath() {
        Tensor a = Tensor.randn(3, 4);
        assertTrue(a.add(Tensor.randn(4)).isContiguous());
        assertTrue(a.mul(2f).isContiguous());
        assertTrue(a.exp().isContiguous());
        assertTrue(Tensor.randn(3, 1).add(Tensor.randn(1, 4)).isContiguous());
    }

    @Test
    void gradientsSummedInTheEngineKeepTheirStrideOrder() {
        // Three transposed gradients reach exp's node: the engine adds the second out of place (a
        // transposed sum) and the third into that sum in place.
        float[] values = {0.5f, -1f, 2f, 0.25f, 1.5f, -0.5f};
        Tensor x = Tensor.fromArray(values, 2, 3).requiresGrad(true);
        Tensor e = x.exp();
        Tensor loss = e.t().mul(2f).sum().add(e.t().mul(3f).sum()).add(e.t().mul(-4f).sum());
        loss.backward();
        float[] expected = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            expected[i] = (float) Math.exp(values[i]);
        }
        float[] grad = x.grad().toArray();
        for (int i = 0; i < values.length; i++) {
            assertEquals(expected[i], grad[i], 1e-5f * Math.abs(expected[i]), "element " + i);
        }
    }

    private static int[] shuffled(Random random, int rank) {
        int[] order = Layout.identity(rank);
        for (int i = rank - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
