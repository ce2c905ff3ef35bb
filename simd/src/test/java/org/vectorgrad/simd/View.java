package org.vectorgrad.simd;

import java.util.Arrays;
import java.util.Random;

/**
 * A strided view for tests: the element at index i of {@code shape} lives at
 * {@code data[offset + Σ i[d] * strides[d]]}. Storage around and between the elements holds
 * other random values, so a kernel that reads outside the view computes something wrong.
 */
record View(int[] shape, float[] data, int offset, int[] strides) {

    /** A contiguous row-major view of {@code shape} at {@code offset}, filled by {@code values}. */
    static View contiguous(int[] shape, int offset, Random random, Values values) {
        return of(shape, identity(shape.length), 1, new boolean[shape.length], offset, random, values);
    }

    /**
     * A view whose storage lays the dimensions out in {@code order} (outermost first), with the
     * innermost storage stride {@code step}; {@code broadcast} dims get stride 0.
     */
    static View of(int[] shape, int[] order, int step, boolean[] broadcast, int offset,
                   Random random, Values values) {
        int[] strides = new int[shape.length];
        int stride = step;
        for (int k = order.length - 1; k >= 0; k--) {
            int d = order[k];
            if (broadcast[d]) {
                continue;
            }
            strides[d] = stride;
            stride *= Math.max(shape[d], 1);
        }
        int extent = 0;
        for (int d = 0; d < shape.length; d++) {
            extent += Math.max(shape[d] - 1, 0) * strides[d];
        }
        float[] data = values.fill(random, new float[offset + extent + 1 + 3]);
        return new View(shape, data, offset, strides);
    }

    /**
     * A row-major view whose rows are {@code pad} elements longer in storage than in the view
     * (a slice like {@code x[..., :n]}): contiguous inner dimension, rows that do not coalesce.
     */
    static View sliced(int[] shape, int pad, int offset, Random random, Values values) {
        int[] storage = shape.clone();
        storage[storage.length - 1] += pad;
        View full = contiguous(storage, offset, random, values);
        return new View(shape, full.data(), offset, full.strides());
    }

    /** 0, 1, ..., rank - 1. */
    static int[] identity(int rank) {
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        return order;
    }

    /** The reverse order: a transposed (column-major) layout. */
    static int[] reversed(int rank) {
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = rank - 1 - d;
        }
        return order;
    }

    int numel() {
        return Shapes.numel(shape);
    }

    /** Storage offset of the element with row-major flat index {@code flat}. */
    int at(int flat) {
        int position = offset;
        for (int d = shape.length - 1; d >= 0; d--) {
            position += flat % shape[d] * strides[d];
            flat /= shape[d];
        }
        return position;
    }

    /** The element with row-major flat index {@code flat}. */
    float get(int flat) {
        return data[at(flat)];
    }

    /** Sets the element with row-major flat index {@code flat} (and its broadcast copies). */
    void set(int flat, float value) {
        data[at(flat)] = value;
    }

    /** The elements in row-major order. */
    float[] logical() {
        float[] out = new float[numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    @Override
    public String toString() {
        return "View" + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset;
    }
}
