package org.vectorgrad;

import static org.vectorgrad.Ops.K;
import static org.vectorgrad.Ops.NONE;
import static org.vectorgrad.Ops.grads;
import static org.vectorgrad.Ops.inputs;
import static org.vectorgrad.Ops.record;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.vectorgrad.simd.BinaryOp;
import org.vectorgrad.simd.Parallel;
import org.vectorgrad.simd.Shapes;

/**
 * Joining tensors and gathering slices (cat, stack, indexSelect): each input block is copied into
 * its slot of the output with the strided copy kernel; forward and backward side by side.
 */
final class Joins {
    // Copying is memory-bound: blocks smaller than this are copied by one thread per chunk of
    // blocks; a larger block is left to the copy kernel, which splits it itself.
    private static final int MIN_ELEMENTS_PER_CHUNK = 1 << 16;

    private Joins() {
    }

    // ---- cat ------------------------------------------------------------------------------------

    /**
     * PyTorch's cat, including its legacy rule: 1-D empty tensors (shape [0]) are skipped whatever
     * the other tensors' rank, and when every tensor is one the result is shape [0] for any dim.
     */
    static Tensor cat(List<Tensor> tensors, int dim) {
        Tensor[] xs = nonEmpty(tensors, "torch.cat(): expected a non-empty list of Tensors");
        for (int i = 0; i < xs.length; i++) {
            if (xs[i].dim() == 0) {
                throw new IllegalArgumentException("zero-dimensional tensor (at position " + i
                        + ") cannot be concatenated");
            }
        }
        boolean[] skipped = new boolean[xs.length];
        int reference = -1;
        for (int i = xs.length - 1; i >= 0; i--) {
            skipped[i] = xs[i].dim() == 1 && xs[i].numel() == 0;
            reference = skipped[i] ? reference : i;
        }
        int[] outShape = reference < 0 ? new int[] {0} : catShape(xs, skipped, reference, dim);
        int d = reference < 0 ? 0 : Layout.wrapDim(dim, outShape.length);
        Tensor out = new Tensor(new float[Shapes.numel(outShape)], Layout.contiguous(outShape), dtypeOf(xs));
        int[] starts = new int[xs.length];
        int[] sizes = new int[xs.length];
        for (int i = 0, start = 0; i < xs.length; i++) {
            starts[i] = start;
            sizes[i] = skipped[i] ? 0 : xs[i].layout.shape[d];
            start += sizes[i];
        }
        Layout full = out.layout;
        forEachBlock(xs.length, out.numel(), i -> {
            if (!skipped[i]) {
                copyInto(xs[i], out, full.narrow(d, starts[i], sizes[i]));
            }
        });
        return record("CatBackward0", out, xs, NONE, (g, s, n) -> {
            Tensor[] grads = new Tensor[n.length];
            for (int i = 0; i < n.length; i++) {
                if (n[i]) {
                    grads[i] = skipped[i] ? Tensor.zeros(0) : g.narrow(d, starts[i], sizes[i]);
                }
            }
            return grads;
        });
    }

    /** Validates ranks and sizes against the reference tensor, PyTorch's checks in its order. */
    private static int[] catShape(Tensor[] xs, boolean[] skipped, int reference, int dim) {
        int[] expected = xs[reference].layout.shape;
        int d = Layout.wrapDim(dim, expected.length);
        long total = 0;
        for (int i = 0; i < xs.length; i++) {
            if (skipped[i]) {
                continue;
            }
            int[] shape = xs[i].layout.shape;
            if (shape.length != expected.length) {
                throw new IllegalArgumentException("Tensors must have same number of dimensions: got "
                        + expected.length + " and " + shape.length + " (shapes " + Arrays.toString(expected)
                        + " and " + Arrays.toString(shape) + " of tensors number " + reference + " and " + i + ")");
            }
            for (int k = 0; k < shape.length; k++) {
                if (k != d && shape[k] != expected[k]) {
                    throw new IllegalArgumentException("Sizes of tensors must match except in dimension " + d
                            + ". Expected size " + expected[k] + " but got size " + shape[k] + " for tensor number "
                            + i + " in the list (shapes " + Arrays.toString(expected) + " and "
                            + Arrays.toString(shape) + ")");
                }
            }
            total += shape[d];
        }
        int[] out = expected.clone();
        out[d] = (int) Math.min(total, Integer.MAX_VALUE);
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cat(): the result would have " + total + " elements along dimension "
                    + d + ", more than " + Integer.MAX_VALUE);
        }
        return out;
    }

    // ---- stack ----------------------------------------------------------------------------------

    static Tensor stack(List<Tensor> tensors, int dim) {
        Tensor[] xs = nonEmpty(tensors, "stack expects a non-empty TensorList");
        int[] shape = xs[0].layout.shape;
        int d = Layout.wrapDim(dim, shape.length + 1);
        for (int i = 1; i < xs.length; i++) {
            if (!Arrays.equals(shape, xs[i].layout.shape)) {
                throw new IllegalArgumentException("stack expects each tensor to be equal size, but got "
                        + Arrays.toString(shape) + " at entry 0 and " + Arrays.toString(xs[i].layout.shape)
                        + " at entry " + i);
            }
        }
        int[] outShape = Layout.insert(shape, d, xs.length);
        Tensor out = new Tensor(new float[Shapes.numel(outShape)], Layout.contiguous(outShape), dtypeOf(xs));
        Layout full = out.layout;
        forEachBlock(xs.length, out.numel(), i -> copyInto(xs[i], out, full.select(d, i)));
        return record("StackBackward0", out, xs, NONE, (g, s, n) -> {
            Tensor[] grads = new Tensor[n.length];
            for (int i = 0; i < n.length; i++) {
                grads[i] = n[i] ? g.select(d, i) : null;
            }
            return grads;
        });
    }

    // ---- indexSelect ----------------------------------------------------------------------------

    /**
     * The slices {@code index[0], index[1], ...} of {@code x} along {@code dim}, in that order
     * (repeats allowed). A 0-d tensor is one slice: it takes exactly the index [0] and stays 0-d.
     */
    static Tensor indexSelect(Tensor x, int dim, int[] index) {
        int[] shape = x.layout.shape;
        int d = Layout.wrapDim(dim, shape.length);
        checkIndex(shape, d, index);
        int[] idx = index.clone();
        if (shape.length == 0) {
            Tensor copy = new Tensor(new float[] {x.data[x.layout.offset]}, Layout.contiguous(), x.dtype);
            return record("IndexSelectBackward0", copy, inputs(x), NONE, (g, s, n) -> grads(g));
        }
        int[] outShape = shape.clone();
        outShape[d] = idx.length;
        Tensor out = new Tensor(new float[Shapes.numel(outShape)], Layout.contiguous(outShape), x.dtype);
        int[][] runs = runs(idx);
        Layout full = out.layout;
        forEachBlock(runs[0].length, out.numel(), r -> {
            int k = runs[0][r];
            int length = runs[1][r];
            Layout source = x.layout.narrow(d, idx[k], length);
            Layout slot = full.narrow(d, k, length);
            K.copy(source.shape, x.data, source.offset, source.strides, out.data, slot.offset, slot.strides);
        });
        int[] inputShape = shape.clone();
        return record("IndexSelectBackward0", out, inputs(x), NONE,
                (g, s, n) -> grads(indexAdd(inputShape, d, idx, g)));
    }

    private static void checkIndex(int[] shape, int d, int[] index) {
        if (shape.length == 0 && index.length != 1) {
            throw new IllegalArgumentException("index_select(): a 0-d tensor takes exactly one index, got "
                    + Arrays.toString(index));
        }
        int size = shape.length == 0 ? 1 : shape[d];
        if (size == 0 && index.length > 0) {
            throw new IllegalArgumentException("index_select(): self indexing axis dim should be positive"
                    + " (index " + Arrays.toString(index) + " into dimension " + d + " of size 0, shape "
                    + Arrays.toString(shape) + ")");
        }
        for (int k = 0; k < index.length; k++) {
            if (index[k] < 0 || index[k] >= size) {
                throw new IllegalArgumentException("index out of range in self: index_select() got index "
                        + index[k] + " at position " + k + " for dimension " + d + " of size " + size + " (shape "
                        + Arrays.toString(shape) + ")");
            }
        }
    }

    /** Runs of consecutive indices ({@code 3, 4, 5}), each copied as one block: {starts, lengths}. */
    private static int[][] runs(int[] idx) {
        int[] starts = new int[idx.length];
        int[] lengths = new int[idx.length];
        int count = 0;
        for (int k = 0; k < idx.length; k++) {
            if (count > 0 && idx[k] == idx[k - 1] + 1) {
                lengths[count - 1]++;
            } else {
                starts[count] = k;
                lengths[count++] = 1;
            }
        }
        return new int[][] {Arrays.copyOf(starts, count), Arrays.copyOf(lengths, count)};
    }

    /**
     * The backward of indexSelect: zeros of {@code shape} with slice k of {@code grad} added to
     * slice {@code idx[k]} along {@code dim}, in order of k (PyTorch's index_add_, same order, so
     * repeated indices accumulate identically). The result is laid out with {@code dim} outermost,
     * so every destination slice is one contiguous block.
     */
    static Tensor indexAdd(int[] shape, int dim, int[] idx, Tensor grad) {
        float[] buffer = new float[Shapes.numel(shape)];
        int[] sliceShape = Shapes.without(shape, dim);
        int[] sliceStrides = Shapes.contiguousStrides(sliceShape);
        int sliceSize = Shapes.numel(sliceShape);
        for (int k = 0; k < idx.length; k++) {
            Layout source = grad.layout.select(dim, k);
            int at = idx[k] * sliceSize;
            K.zip(BinaryOp.ADD, sliceShape, buffer, at, sliceStrides, grad.data, source.offset, source.strides,
                    buffer, at);
        }
        int[] strides = Layout.insert(sliceStrides, dim, sliceSize);
        Tensor out = new Tensor(buffer, new Layout(shape.clone(), strides, 0), DType.FLOAT32);
        return record("IndexAddBackward0", out, inputs(grad), NONE,
                (g, s, n) -> grads(g.indexSelect(dim, idx)));
    }

    // ---- shared ---------------------------------------------------------------------------------

    private static Tensor[] nonEmpty(List<Tensor> tensors, String emptyMessage) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException(emptyMessage);
        }
        Tensor[] xs = tensors.toArray(Tensor[]::new);
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] == null) {
                throw new IllegalArgumentException("tensor number " + i + " in the list is null");
            }
        }
        return xs;
    }

    /** Bool only when every input is bool (PyTorch promotes a mix to float). */
    private static DType dtypeOf(Tensor[] xs) {
        for (Tensor x : xs) {
            if (x.dtype != DType.BOOL) {
                return DType.FLOAT32;
            }
        }
        return DType.BOOL;
    }

    /** Copies all of {@code x} into the part of {@code out}'s storage that {@code slot} describes. */
    private static void copyInto(Tensor x, Tensor out, Layout slot) {
        Layout source = x.layout;
        K.copy(source.shape, x.data, source.offset, source.strides, out.data, slot.offset, slot.strides);
    }

    /**
     * Runs {@code copy} for every block index below {@code count}. Many small blocks are shared
     * out in chunks; large ones run one after another, each split by the copy kernel. Copies are
     * exact, so the result does not depend on which thread copies what.
     */
    private static void forEachBlock(int count, int totalElements, IntConsumer copy) {
        int perBlock = Math.max(1, totalElements / Math.max(1, count));
        if (count <= 1 || perBlock >= MIN_ELEMENTS_PER_CHUNK) {
            for (int i = 0; i < count; i++) {
                copy.accept(i);
            }
            return;
        }
        Parallel.forRange(count, Math.max(1, MIN_ELEMENTS_PER_CHUNK / perBlock), (from, to) -> {
            for (int i = from; i < to; i++) {
                copy.accept(i);
            }
        });
    }
}
