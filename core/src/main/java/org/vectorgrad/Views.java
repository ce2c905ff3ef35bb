package org.vectorgrad;

import static org.vectorgrad.Ops.K;
import static org.vectorgrad.Ops.NONE;
import static org.vectorgrad.Ops.grads;
import static org.vectorgrad.Ops.inputs;
import static org.vectorgrad.Ops.record;

import java.util.Arrays;

/** Operations that re-describe storage without copying it, and their backward formulas. */
final class Views {
    private Views() {
    }

    private static Tensor alias(Tensor x, Layout layout) {
        return new Tensor(x.data, layout, x.dtype, x.counter());
    }

    static Tensor view(Tensor x, int[] shape) {
        int[] target = inferShape(shape, x.numel());
        int[] strides = x.layout.viewStrides(target);
        if (strides == null) {
            throw new IllegalArgumentException("view size is not compatible with input tensor's size and"
                    + " stride (at least one dimension spans across two contiguous subspaces). Use"
                    + " .reshape(...) instead. (shape " + Arrays.toString(x.layout.shape) + ", strides "
                    + Arrays.toString(x.layout.strides) + ", requested " + Arrays.toString(shape) + ")");
        }
        int[] original = x.layout.shape.clone();
        return record("ViewBackward0", alias(x, new Layout(target, strides, x.layout.offset)), inputs(x),
                NONE, (g, s, n) -> grads(g.reshape(original)));
    }

    /** A view when the strides allow it, else a contiguous copy viewed with the new shape. */
    static Tensor reshape(Tensor x, int[] shape) {
        int[] target = inferShape(shape, x.numel());
        int[] strides = x.layout.viewStrides(target);
        int[] original = x.layout.shape.clone();
        if (strides != null) {
            return record("ReshapeAliasBackward0", alias(x, new Layout(target, strides, x.layout.offset)),
                    inputs(x), NONE, (g, s, n) -> grads(g.reshape(original)));
        }
        Tensor copy = cloneOf(x);
        return record("UnsafeViewBackward0", alias(copy, Layout.contiguous(target)), inputs(copy), NONE,
                (g, s, n) -> grads(g.reshape(original)));
    }

    static Tensor flatten(Tensor x) {
        return x.dim() == 1 ? x : reshape(x, new int[] {-1});
    }

    static Tensor contiguous(Tensor x) {
        return x.isContiguous() ? x : cloneOf(x);
    }

    /** A contiguous copy that stays in the graph ({@code clone()}). */
    static Tensor cloneOf(Tensor x) {
        Tensor copy = new Tensor(x.toArray(), Layout.contiguous(x.layout.shape), x.dtype);
        return record("CloneBackward0", copy, inputs(x), NONE, (g, s, n) -> grads(g));
    }

    static Tensor transpose(Tensor x, int dim0, int dim1) {
        int rank = x.dim();
        int d0 = Layout.wrapDim(dim0, rank);
        int d1 = Layout.wrapDim(dim1, rank);
        Layout layout = rank == 0 ? x.layout : x.layout.transpose(d0, d1);
        return record("TransposeBackward0", alias(x, layout), inputs(x), NONE,
                (g, s, n) -> grads(g.transpose(d0, d1)));
    }

    static Tensor t(Tensor x) {
        if (x.dim() > 2) {
            throw new IllegalArgumentException("t() expects a tensor with <= 2 dimensions, but self is "
                    + x.dim() + "D (shape " + Arrays.toString(x.layout.shape) + ")");
        }
        Layout layout = x.dim() == 2 ? x.layout.transpose(0, 1) : x.layout;
        return record("TBackward0", alias(x, layout), inputs(x), NONE, (g, s, n) -> grads(g.t()));
    }

    static Tensor permute(Tensor x, int[] dims) {
        int rank = x.dim();
        if (dims.length != rank) {
            throw new IllegalArgumentException("permute(): number of dimensions in the tensor input does not"
                    + " match the length of the desired ordering of dimensions i.e. input.dim() = " + rank
                    + " is not equal to len(dims) = " + dims.length);
        }
        int[] order = new int[rank];
        int[] inverse = new int[rank];
        boolean[] used = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = Layout.wrapDim(dims[i], rank);
            if (used[order[i]]) {
                throw new IllegalArgumentException("permute(): duplicate dims are not allowed. (dims "
                        + Arrays.toString(dims) + ")");
            }
            used[order[i]] = true;
            inverse[order[i]] = i;
        }
        return record("PermuteBackward0", alias(x, x.layout.permute(order)), inputs(x), NONE,
                (g, s, n) -> grads(g.permute(inverse)));
    }

    static Tensor select(Tensor x, int dim, int index) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException("select() cannot be applied to a 0-dim tensor.");
        }
        int d = Layout.wrapDim(dim, x.dim());
        int size = x.layout.shape[d];
        if (index < -size || index >= size) {
            throw new IllegalArgumentException("select(): index " + index + " out of range for tensor of size "
                    + Arrays.toString(x.layout.shape) + " at dimension " + d);
        }
        int i = index < 0 ? index + size : index;
        int[] shape = x.layout.shape.clone();
        return record("SelectBackward0", alias(x, x.layout.select(d, i)), inputs(x), NONE,
                (g, s, n) -> grads(embed(g, shape, d, i, true)));
    }

    static Tensor narrow(Tensor x, int dim, int start, int length) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException("narrow() cannot be applied to a 0-dim tensor.");
        }
        int d = Layout.wrapDim(dim, x.dim());
        int size = x.layout.shape[d];
        if (length < 0) {
            throw new IllegalArgumentException("narrow(): length must be non-negative (got " + length + ")");
        }
        if (start < -size || start > size) {
            throw new IllegalArgumentException("start out of range (expected to be in range of [" + -size
                    + ", " + size + "], but got " + start + ")");
        }
        int from = start < 0 ? start + size : start;
        if (length > size - from) { // not from + length: that overflows for a huge length
            throw new IllegalArgumentException("start (" + from + ") + length (" + length
                    + ") exceeds dimension size (" + size + ").");
        }
        int[] shape = x.layout.shape.clone();
        return record("SliceBackward0", alias(x, x.layout.narrow(d, from, length)), inputs(x), NONE,
                (g, s, n) -> grads(embed(g, shape, d, from, false)));
    }

    /**
     * The backward of select/narrow: zeros of {@code shape} with {@code g} written into the
     * selected slice (select when {@code selected}, else the narrowed range starting at {@code start}).
     */
    static Tensor embed(Tensor g, int[] shape, int dim, int start, boolean selected) {
        Tensor out = Ops.empty(shape);
        Layout full = Layout.contiguous(shape);
        Layout slot = selected ? full.select(dim, start) : full.narrow(dim, start, g.layout.shape[dim]);
        K.copy(slot.shape, g.data, g.layout.offset, g.layout.strides, out.data, slot.offset, slot.strides);
        int length = selected ? 1 : g.layout.shape[dim];
        String name = selected ? "SelectBackwardBackward0" : "SliceBackwardBackward0";
        return record(name, out, inputs(g), NONE, (gg, s, n) -> grads(
                selected ? gg.select(dim, start) : gg.narrow(dim, start, length)));
    }

    static Tensor expand(Tensor x, int[] sizes) {
        int[] shape = x.layout.shape;
        int lead = sizes.length - shape.length;
        if (lead < 0) {
            throw new IllegalArgumentException("expand(torch.FloatTensor{" + Arrays.toString(shape) + "}, size="
                    + Arrays.toString(sizes) + "): the number of sizes provided (" + sizes.length
                    + ") must be greater or equal to the number of dimensions in the tensor (" + shape.length + ")");
        }
        int[] target = new int[sizes.length];
        for (int d = 0; d < sizes.length; d++) {
            target[d] = expandedSize(shape, sizes, d, lead);
        }
        // Unlike the broadcasting ops, expand's backward reduces itself: the sum IS its derivative
        // (PyTorch's formula is sum_to(grad, self.sizes()) too).
        Tensor view = alias(x, x.layout.expand(target));
        return !Ops.recording(x) ? view : record("ExpandBackward0", view, inputs(x), NONE,
                (g, s, n) -> grads(Elementwise.sumToShape(g, shape))); // shapes are never mutated
    }

    private static int expandedSize(int[] shape, int[] sizes, int d, int lead) {
        if (d < lead) {
            if (sizes[d] < 0) {
                throw new IllegalArgumentException("The expanded size of the tensor (" + sizes[d]
                        + ") isn't allowed in a leading, non-existing dimension " + d);
            }
            return sizes[d];
        }
        int existing = shape[d - lead];
        int wanted = sizes[d] == -1 ? existing : sizes[d];
        if (wanted != existing && existing != 1) {
            throw new IllegalArgumentException("The expanded size of the tensor (" + wanted
                    + ") must match the existing size (" + existing + ") at non-singleton dimension " + d
                    + ".  Target sizes: " + Arrays.toString(sizes) + ".  Tensor sizes: " + Arrays.toString(shape));
        }
        if (wanted < 0) {
            throw new IllegalArgumentException("The expanded size of the tensor (" + wanted
                    + ") must be non-negative, or -1 to keep the existing size, at dimension " + d
                    + ".  Target sizes: " + Arrays.toString(sizes) + ".  Tensor sizes: " + Arrays.toString(shape));
        }
        return wanted;
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        int d = Layout.wrapDim(dim, x.dim() + 1);
        return record("UnsqueezeBackward0", alias(x, x.layout.unsqueeze(d)), inputs(x), NONE,
                (g, s, n) -> grads(g.squeeze(d)));
    }

    static Tensor squeeze(Tensor x, int dim) {
        return squeeze(x, dim, "SqueezeBackward1");
    }

    /** {@code name} differs for the in-place squeeze PyTorch's matmul uses internally. */
    static Tensor squeeze(Tensor x, int dim, String name) {
        int d = Layout.wrapDim(dim, x.dim());
        boolean squeezes = x.dim() > 0 && x.layout.shape[d] == 1;
        Layout layout = squeezes ? x.layout.squeeze(d) : x.layout;
        return record(name, alias(x, layout), inputs(x), NONE,
                (g, s, n) -> grads(squeezes ? g.unsqueeze(d) : g));
    }

    /** Resolves a single -1 and checks that the element count is preserved. */
    static int[] inferShape(int[] shape, int numel) {
        int inferred = -1;
        long known = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("only one dimension can be inferred (shape "
                            + Arrays.toString(shape) + ")");
                }
                inferred = d;
            } else if (shape[d] < 0) {
                throw new IllegalArgumentException("invalid shape dimension " + shape[d] + " in "
                        + Arrays.toString(shape));
            } else {
                known *= shape[d];
            }
        }
        int[] out = shape.clone();
        if (inferred >= 0) {
            if (known == 0 && numel == 0) {
                throw new IllegalArgumentException("cannot reshape tensor of " + numel + " elements into shape "
                        + Arrays.toString(shape) + " because the unspecified dimension size -1 can be any"
                        + " value and is ambiguous");
            }
            if (known != 0) {
                out[inferred] = (int) (numel / known);
                known *= out[inferred];
            }
        }
        if (known != numel) {
            throw new IllegalArgumentException("shape '" + Arrays.toString(shape) + "' is invalid for input of size "
                    + numel);
        }
        return out;
    }

    /** A negative index counts from the end; out of range gives PyTorch's IndexError text. */
    static int wrapIndex(int index, int size, int dim) {
        if (index < -size || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for dimension " + dim
                    + " with size " + size);
        }
        return index < 0 ? index + size : index;
    }
}
