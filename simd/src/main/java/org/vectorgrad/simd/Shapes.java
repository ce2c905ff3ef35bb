package org.vectorgrad.simd;

import java.util.Arrays;

/** Shape arithmetic shared by the kernels and the tensor layer. */
public final class Shapes {
    private Shapes() {
    }

    /** Number of elements of a shape (1 for the empty shape of a scalar). */
    public static int numel(int[] shape) {
        long n = 1;
        for (int size : shape) {
            n *= size;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more than " + Integer.MAX_VALUE + " elements");
            }
        }
        return (int) n;
    }

    /** Row-major strides of a shape: the last dimension has stride 1. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= Math.max(shape[d], 1);
        }
        return strides;
    }

    /** Strides of a contiguous result over the kept dimensions, 0 on the reduced ones. */
    static int[] reducedStrides(int[] shape, boolean[] reduce) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (!reduce[d]) {
                strides[d] = stride;
                stride *= shape[d];
            }
        }
        return strides;
    }

    /** Number of elements left after summing away the flagged dimensions. */
    static int keptCount(int[] shape, boolean[] reduce) {
        int count = 1;
        for (int d = 0; d < shape.length; d++) {
            count *= reduce[d] ? 1 : shape[d];
        }
        return count;
    }

    /** {@code values} without the element at {@code index}. */
    public static int[] without(int[] values, int index) {
        int[] out = new int[values.length - 1];
        System.arraycopy(values, 0, out, 0, index);
        System.arraycopy(values, index + 1, out, index, values.length - index - 1);
        return out;
    }
}
