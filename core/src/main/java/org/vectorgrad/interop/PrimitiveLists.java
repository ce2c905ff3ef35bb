package org.vectorgrad.interop;

import org.eclipse.collections.api.list.primitive.DoubleList;
import org.eclipse.collections.api.list.primitive.FloatList;
import org.eclipse.collections.api.list.primitive.IntList;
import org.eclipse.collections.impl.list.mutable.primitive.DoubleArrayList;
import org.eclipse.collections.impl.list.mutable.primitive.FloatArrayList;
import org.eclipse.collections.impl.list.mutable.primitive.IntArrayList;
import org.vectorgrad.Tensor;

/**
 * Tensors to and from Eclipse Collections' primitive lists, for analytics code that already holds
 * its columns as {@code FloatList}/{@code DoubleList}/{@code IntList}.
 *
 * <p>Eclipse Collections is an optional dependency of {@code vectorgrad-core}: this is the only
 * class that uses it, and a program that calls it adds {@code org.eclipse.collections:eclipse-collections}
 * (and {@code eclipse-collections-api}) to its own dependencies. Values are copied both ways, in
 * row-major order, so a list and a tensor never share memory.
 */
public final class PrimitiveLists {
    private PrimitiveLists() {
    }

    /**
     * A tensor of {@code values} viewed with {@code shape}, as {@link Tensor#fromArray(float[], int...)}
     * (no shape means 0-d); the count must match the shape.
     */
    public static Tensor fromFloatList(FloatList values, int... shape) {
        return Tensor.fromArray(values.toArray(), shape);
    }

    /** As {@link #fromFloatList}, each value rounded to the nearest float32 (PyTorch's default dtype). */
    public static Tensor fromDoubleList(DoubleList values, int... shape) {
        float[] rounded = new float[values.size()];
        for (int i = 0; i < rounded.length; i++) {
            rounded[i] = (float) values.get(i);
        }
        return Tensor.fromArray(rounded, shape);
    }

    /** The tensor's elements in row-major order (any layout), in a new list the caller owns. */
    public static FloatList toFloatList(Tensor tensor) {
        return FloatArrayList.newListWith(tensor.toArray());
    }

    /** As {@link #toFloatList}, widened exactly to double. */
    public static DoubleList toDoubleList(Tensor tensor) {
        float[] values = tensor.toArray();
        double[] widened = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            widened[i] = values[i];
        }
        return DoubleArrayList.newListWith(widened);
    }

    /**
     * As {@link #toFloatList}, each value truncated toward zero like PyTorch's {@code .int()}.
     * NOTE: where PyTorch is undefined (NaN, beyond the int range) Java's cast gives 0 or saturates.
     */
    public static IntList toIntList(Tensor tensor) {
        float[] values = tensor.toArray();
        int[] truncated = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            truncated[i] = (int) values[i];
        }
        return IntArrayList.newListWith(truncated);
    }
}
