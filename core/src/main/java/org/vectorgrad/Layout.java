package org.vectorgrad;

import java.util.Arrays;
import org.vectorgrad.simd.Shapes;

/**
 * Where a tensor's elements live in its flat storage: shape, strides (in elements) and offset.
 * Immutable; every view operation returns a new layout over the same storage.
 */
final class Layout {
    final int[] shape;
    final int[] strides;
    final int offset;

    Layout(int[] shape, int[] strides, int offset) {
        checkSizes(shape);
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** The layout of every 0-d tensor: layouts are immutable, and scalars are made per op. */
    static final Layout SCALAR = new Layout(new int[0], new int[0], 0);

    static Layout contiguous(int... shape) {
        return contiguousOver(shape.length == 0 ? shape : shape.clone());
    }

    /**
     * {@link #contiguous} over a shape array that nobody mutates (an op's own result shape), so
     * not copied; a 1-D layout shares its stride too.
     */
    static Layout contiguousOver(int[] shape) {
        return switch (shape.length) {
            case 0 -> SCALAR;
            case 1 -> new Layout(shape, UNIT_STRIDE, 0);
            default -> new Layout(shape, Shapes.contiguousStrides(shape), 0);
        };
    }

    private static final int[] UNIT_STRIDE = {1};

    /**
     * Exactly what {@link #contiguous} would build for this shape (offset 0, row-major strides
     * including those of size-1 dims): a fresh result of this shape may then share this layout
     * instead of allocating its own (small ops allocate little, and fresh memory costs page faults).
     */
    boolean isFreshContiguous() {
        if (offset != 0) {
            return false;
        }
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (strides[d] != expected) {
                return false;
            }
            expected *= Math.max(shape[d], 1);
        }
        return true;
    }

    /**
     * Every size non-negative, and the sizes' product (a 0 counted as 1) within int range. Storage
     * is a float[] indexed by int, and kernels count elements in int: a larger shape (which PyTorch,
     * with int64 sizes, accepts) would wrap around, e.g. an expand to 50000x50000 summed to 0.
     * Counting a 0 as 1 keeps a contiguous layout's strides in range too.
     */
    static void checkSizes(int[] shape) {
        long extent = 1;
        for (int size : shape) {
            if (size < 0) {
                throw new IllegalArgumentException("Trying to create tensor with negative dimension " + size + ": "
                        + Arrays.toString(shape));
            }
            extent = size > 1 && extent > Long.MAX_VALUE / size ? Long.MAX_VALUE : extent * Math.max(size, 1);
        }
        if (extent > Integer.MAX_VALUE) {
            boolean empty = Arrays.stream(shape).anyMatch(size -> size == 0);
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large: "
                    + (empty ? "its nonzero sizes multiply to " : "it has ") + (extent < Long.MAX_VALUE ? extent : "over 2^63")
                    + (empty ? "" : " elements") + ", more than the " + Integer.MAX_VALUE
                    + " elements a Vectorgrad tensor can index");
        }
    }

    int dim() {
        return shape.length;
    }

    int numel() {
        return Shapes.numel(shape);
    }

    /** Row-major dense, as PyTorch defines it: strides of size-1 dimensions don't matter. */
    boolean isContiguous() {
        for (int size : shape) {
            if (size == 0) {
                return true;
            }
        }
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** Storage index of the element at a multi-index (already bounds-checked). */
    int indexOf(int[] index) {
        int at = offset;
        for (int d = 0; d < index.length; d++) {
            at += index[d] * strides[d];
        }
        return at;
    }

    Layout transpose(int d0, int d1) {
        int[] order = identity(shape.length);
        order[d0] = d1;
        order[d1] = d0;
        return permute(order);
    }

    Layout permute(int[] order) {
        int[] newShape = new int[order.length];
        int[] newStrides = new int[order.length];
        for (int d = 0; d < order.length; d++) {
            newShape[d] = shape[order[d]];
            newStrides[d] = strides[order[d]];
        }
        return new Layout(newShape, newStrides, offset);
    }

    Layout select(int dim, int index) {
        return new Layout(Shapes.without(shape, dim), Shapes.without(strides, dim),
                offset + index * strides[dim]);
    }

    Layout narrow(int dim, int start, int length) {
        int[] newShape = shape.clone();
        newShape[dim] = length;
        int newOffset = length == 0 ? offset : offset + start * strides[dim];
        return new Layout(newShape, strides.clone(), newOffset);
    }

    Layout unsqueeze(int dim) {
        int stride = dim < shape.length ? shape[dim] * strides[dim] : 1;
        return new Layout(insert(shape, dim, 1), insert(strides, dim, stride), offset);
    }

    Layout squeeze(int dim) {
        if (shape[dim] != 1) {
            return this;
        }
        return new Layout(Shapes.without(shape, dim), Shapes.without(strides, dim), offset);
    }

    /**
     * This layout read as {@code target} (already validated): new and size-1 dims get stride 0.
     * The result may keep {@code target} as its shape: the caller must not mutate it afterwards.
     */
    Layout expand(int[] target) {
        if (Arrays.equals(shape, target)) {
            return this; // immutable, and every binary op expands its inputs, mostly to their own shape
        }
        return new Layout(target, stridesAs(target), offset);
    }

    /**
     * The strides of {@link #expand}ed to {@code target}, without building the layout: binary ops
     * need only these, and a tiny graph's ops are mostly scalar broadcasts, whose strides (all 0)
     * are shared. The result must not be mutated.
     */
    int[] stridesAs(int[] target) {
        if (Arrays.equals(shape, target)) {
            return strides;
        }
        if (shape.length == 0 && target.length < ZERO_STRIDES.length) {
            return ZERO_STRIDES[target.length];
        }
        int lead = target.length - shape.length;
        int[] newStrides = new int[target.length];
        for (int d = 0; d < shape.length; d++) {
            newStrides[lead + d] = shape[d] == target[lead + d] ? strides[d] : 0;
        }
        return newStrides;
    }

    private static final int[][] ZERO_STRIDES = new int[9][];

    static {
        for (int rank = 0; rank < ZERO_STRIDES.length; rank++) {
            ZERO_STRIDES[rank] = new int[rank];
        }
    }

    /**
     * The strides that view this storage with {@code newShape} (same numel), or null when the
     * existing strides make that impossible without a copy. Dimensions are grouped into chunks
     * that are contiguous among themselves; a view may only split or merge within a chunk.
     */
    int[] viewStrides(int[] newShape) {
        if (numel() == 0 || shape.length == 0) {
            return Shapes.contiguousStrides(newShape);
        }
        int[] newStrides = new int[newShape.length];
        int viewDim = newShape.length - 1;
        int chunkBaseStride = strides[strides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            boolean chunkEnds = d == 0
                    || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBaseStride);
            if (chunkEnds) {
                while (viewDim >= 0 && (viewNumel < tensorNumel || newShape[viewDim] == 1)) {
                    newStrides[viewDim] = (int) (viewNumel * chunkBaseStride);
                    viewNumel *= newShape[viewDim];
                    viewDim--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBaseStride = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewDim == -1 ? newStrides : null;
    }

    /** NumPy broadcasting of two shapes, with PyTorch's message when they don't broadcast. */
    static int[] broadcast(int[] a, int[] b) {
        if (isExpandableTo(b, a)) {
            return a; // shapes are never mutated; most binary ops meet equal shapes or a scalar
        }
        if (isExpandableTo(a, b)) {
            return b;
        }
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 1; i <= rank; i++) {
            int sa = i <= a.length ? a[a.length - i] : 1;
            int sb = i <= b.length ? b[b.length - i] : 1;
            if (sa != sb && sa != 1 && sb != 1) {
                throw new IllegalArgumentException("The size of tensor a (" + sa
                        + ") must match the size of tensor b (" + sb + ") at non-singleton dimension "
                        + (rank - i) + " (shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + ")");
            }
            out[rank - i] = sa == 1 ? sb : sa;
        }
        return out;
    }

    /** PyTorch's is_expandable_to: aligned on the right, every size is 1 or equals the target's. */
    static boolean isExpandableTo(int[] shape, int[] target) {
        if (shape.length > target.length) {
            return false;
        }
        for (int i = 1; i <= shape.length; i++) {
            int size = shape[shape.length - i];
            if (size != 1 && size != target[target.length - i]) {
                return false;
            }
        }
        return true;
    }

    /** Wraps a possibly negative dim into [0, rank), PyTorch's way (a 0-d tensor accepts -1 and 0). */
    static int wrapDim(int dim, int rank) {
        int bound = Math.max(rank, 1);
        if (dim < -bound || dim >= bound) {
            throw new IllegalArgumentException("Dimension out of range (expected to be in range of ["
                    + -bound + ", " + (bound - 1) + "], but got " + dim + ")");
        }
        return dim < 0 ? dim + bound : dim;
    }

    static int[] identity(int rank) {
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        return order;
    }

    static int[] insert(int[] values, int index, int value) {
        int[] out = new int[values.length + 1];
        System.arraycopy(values, 0, out, 0, index);
        out[index] = value;
        System.arraycopy(values, index, out, index + 1, values.length - index);
        return out;
    }

    @Override
    public String toString() {
        return "Layout" + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset;
    }
}
