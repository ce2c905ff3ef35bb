package org.vectorgrad;

import java.util.Arrays;
import org.vectorgrad.simd.Shapes;

/**
 * The layout of an elementwise result, as PyTorch's TensorIterator chooses it: the output keeps
 * its inputs' stride order (a transposed input gives a transposed result), so that a chain of
 * elementwise ops on a permuted tensor reads and writes memory in order, and {@code view} after
 * them behaves as in PyTorch.
 *
 * <p>Same-shape inputs take TensorIterator's fast set-up: all contiguous gives a contiguous
 * result, all channels-last a channels-last one, all dense with equal strides those strides.
 * Otherwise (broadcasting, mixed layouts) the dimensions are sorted by the inputs' strides, the
 * first input deciding and later ones breaking its ties (broadcast dimensions have no say), and
 * the result is dense in that order.
 */
final class MemoryFormat {
    private MemoryFormat() {
    }

    /**
     * The result layout for inputs broadcast to {@code shape} (which the result may keep: it must
     * not be mutated). A result of rank 0 or 1 has only the row-major order, whatever its inputs.
     */
    static Layout of(int[] shape, Layout... inputs) {
        boolean allContiguous = true;
        for (Layout in : inputs) {
            allContiguous &= isContiguousOf(in, shape);
        }
        Layout cheap = withoutSorting(shape, inputs[0], allContiguous);
        return cheap != null ? cheap : general(shape, inputs);
    }

    /** {@link #of} for a binary op, without the array of inputs when the first's layout can be shared. */
    static Layout of(int[] shape, Layout first, Layout second) {
        Layout cheap = withoutSorting(shape, first, isContiguousOf(first, shape) && isContiguousOf(second, shape));
        return cheap != null ? cheap : general(shape, new Layout[] {first, second});
    }

    private static Layout general(int[] shape, Layout[] inputs) {
        int[] fast = fastSetup(shape, inputs);
        if (fast != null) {
            return new Layout(shape.clone(), fast, 0);
        }
        if (leadsRowMajor(shape, inputs[0])) {
            return Layout.contiguous(shape); // what the sort below finds, without its allocations
        }
        int[] perm = permutation(shape, inputs);
        return new Layout(shape.clone(), isInverted(perm) ? Shapes.contiguousStrides(shape) : denseStrides(shape, perm),
                0);
    }

    /**
     * The order in which to visit a dense layout's dimensions so that its elements are written
     * one after another (outermost first): by decreasing stride; size-1 dimensions, whose stride
     * is irrelevant, go first.
     */
    static int[] visitOrder(Layout layout) {
        Integer[] order = new Integer[layout.shape.length];
        for (int d = 0; d < order.length; d++) {
            order[d] = d;
        }
        Arrays.sort(order, (a, b) -> layout.shape[a] == 1 || layout.shape[b] == 1
                ? Boolean.compare(layout.shape[b] == 1, layout.shape[a] == 1)
                : Integer.compare(layout.strides[b], layout.strides[a]));
        int[] out = new int[order.length]; // a loop, not a stream: this runs on every small op
        for (int d = 0; d < out.length; d++) {
            out[d] = order[d];
        }
        return out;
    }

    /** {@code values} reordered as {@code order} lists the dimensions. */
    static int[] reorder(int[] values, int[] order) {
        int[] out = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            out[i] = values[order[i]];
        }
        return out;
    }

    /**
     * The result layout where it needs neither the inputs' array nor the sort, else null: the
     * first input's own layout when the result is row-major anyway (the fast set-up with every
     * input contiguous, or {@link #leadsRowMajor}) and that layout is exactly a fresh row-major
     * one of the result's shape, so sharing it changes nothing; and any rank 0 or 1 result.
     */
    private static Layout withoutSorting(int[] shape, Layout first, boolean allContiguous) {
        if (Arrays.equals(first.shape, shape) && first.isFreshContiguous()
                && (allContiguous || leadsRowMajor(shape, first))) {
            return first;
        }
        return shape.length <= 1 ? Layout.contiguousOver(shape) : null;
    }

    private static boolean isContiguousOf(Layout in, int[] shape) {
        return Arrays.equals(in.shape, shape) && in.isContiguous();
    }

    // ---- TensorIterator's fast set-up ----------------------------------------------------------

    /** The result strides when every input has the result's shape and they agree; else null. */
    private static int[] fastSetup(int[] shape, Layout[] inputs) {
        boolean contiguous = true;
        for (Layout in : inputs) {
            if (!Arrays.equals(in.shape, shape)) {
                return null;
            }
            contiguous &= in.isContiguous();
        }
        if (contiguous) {
            return Shapes.contiguousStrides(shape);
        }
        boolean channelsLast = true;
        boolean denseAndEqual = true;
        for (Layout in : inputs) {
            channelsLast &= isChannelsLast(in);
            denseAndEqual &= isDense(in) && Arrays.equals(in.strides, inputs[0].strides);
        }
        if (channelsLast) {
            return channelsLastStrides(shape);
        }
        return denseAndEqual ? inputs[0].strides.clone() : null;
    }

    /** PyTorch's is_contiguous(channels_last) of a 4-D layout: dense in the order C, W, H, N. */
    private static boolean isChannelsLast(Layout in) {
        if (in.shape.length != 4) {
            return false;
        }
        int expected = 1;
        for (int d : new int[] {1, 3, 2, 0}) {
            if (in.shape[d] != 1) {
                if (in.strides[d] != expected) {
                    return false;
                }
                expected *= in.shape[d];
            }
        }
        return true;
    }

    private static int[] channelsLastStrides(int[] shape) {
        int[] strides = new int[4];
        strides[1] = 1;
        strides[3] = shape[1];
        strides[2] = strides[3] * shape[3];
        strides[0] = strides[2] * shape[2];
        return strides;
    }

    /** PyTorch's is_non_overlapping_and_dense: some order of the dims is contiguous (size ≤ 1 dims ignored). */
    static boolean isDense(Layout in) {
        if (in.isContiguous() || isChannelsLast(in)) {
            return true;
        }
        int[] order = visitOrder(in);
        int expected = 1;
        for (int i = order.length - 1; i >= 0; i--) {
            int size = in.shape[order[i]];
            if (size < 2) {
                return true;
            }
            if (in.strides[order[i]] != expected) {
                return false;
            }
            expected *= size;
        }
        return true;
    }

    // ---- TensorIterator's general case ----------------------------------------------------------

    /**
     * The common broadcast (a contiguous tensor plus a bias or a scalar): a contiguous first input
     * of the result's shape without size-0/1 dimensions decides every comparison of the sort, for
     * row-major order.
     */
    private static boolean leadsRowMajor(int[] shape, Layout first) {
        if (!Arrays.equals(first.shape, shape) || !first.isContiguous()) {
            return false;
        }
        for (int size : shape) {
            if (size < 2) {
                return false;
            }
        }
        return true;
    }

    /**
     * TensorIterator's reorder_dimensions: perm[0] is the fastest-moving dimension. Starting from
     * row-major order, an insertion sort moves a dimension inwards when the first input that can
     * tell (stride nonzero in both) has it with the larger stride, or with an equal stride and a
     * larger size; an undecided comparison leaves the order alone.
     */
    private static int[] permutation(int[] shape, Layout[] inputs) {
        int rank = shape.length;
        int[][] strides = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            strides[i] = inputs[i].expand(shape).strides;
        }
        int[] perm = new int[rank];
        for (int d = 0; d < rank; d++) {
            perm[d] = rank - 1 - d;
        }
        for (int i = 1; i < rank; i++) {
            int inner = i;
            for (int outer = i - 1; outer >= 0; outer--) {
                int comparison = shouldSwap(perm[outer], perm[inner], shape, strides);
                if (comparison > 0) {
                    int swap = perm[outer];
                    perm[outer] = perm[inner];
                    perm[inner] = swap;
                    inner = outer;
                } else if (comparison < 0) {
                    break;
                }
            }
        }
        return perm;
    }

    private static int shouldSwap(int dim0, int dim1, int[] shape, int[][] strides) {
        for (int[] s : strides) {
            if (s[dim0] == 0 || s[dim1] == 0) {
                continue;
            }
            if (s[dim0] != s[dim1]) {
                return s[dim0] < s[dim1] ? -1 : 1;
            }
            if (shape[dim0] > shape[dim1]) {
                return 1;
            }
        }
        return 0;
    }

    private static boolean isInverted(int[] perm) {
        for (int d = 0; d < perm.length; d++) {
            if (perm[d] != perm.length - 1 - d) {
                return false;
            }
        }
        return true;
    }

    /** Strides dense in the order {@code perm} (fastest first); NOTE: sizes are not clamped to 1, as in PyTorch. */
    private static int[] denseStrides(int[] shape, int[] perm) {
        int[] strides = new int[shape.length];
        int next = 1;
        for (int dim : perm) {
            strides[dim] = next;
            next *= shape[dim];
        }
        return strides;
    }
}
