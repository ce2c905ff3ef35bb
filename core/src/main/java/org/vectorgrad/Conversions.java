package org.vectorgrad;

import java.util.Arrays;
import org.vectorgrad.simd.Shapes;

/** Tensors from and to Java's double and int arrays (the types tabular code holds its data in). */
final class Conversions {
    private static final float INT_LIMIT = 0x1p31f;

    private Conversions() {
    }

    /** A float32 copy of {@code data} viewed with {@code shape}; each value rounded to nearest. */
    static Tensor fromArray(double[] data, int[] shape) {
        Factories.checkShape(shape);
        if (Shapes.numel(shape) != data.length) {
            throw new IllegalArgumentException("shape '" + Arrays.toString(shape)
                    + "' is invalid for input of size " + data.length);
        }
        float[] values = new float[data.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) data[i];
        }
        return Tensor.wrap(values, shape);
    }

    /** Rows of equal length as a rows × columns tensor; no rows gives shape [0, 0], as {@code of(float[][])}. */
    static Tensor ofRows(double[][] rows) {
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] == null) {
                throw new IllegalArgumentException("of(double[][]): row " + r + " is null");
            }
        }
        int columns = rows.length == 0 ? 0 : rows[0].length;
        for (int r = 1; r < rows.length; r++) {
            if (rows[r].length != columns) {
                throw new IllegalArgumentException("expected sequence of length " + columns + " at dim 1 (got "
                        + rows[r].length + "): row " + r + " has " + rows[r].length + " values but row 0 has "
                        + columns);
            }
        }
        int[] shape = {rows.length, columns};
        float[] values = new float[Shapes.numel(shape)];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < columns; c++) {
                values[r * columns + c] = (float) rows[r][c];
            }
        }
        return Tensor.wrap(values, shape);
    }

    /** The values in row-major order, widened exactly to double. */
    static double[] toDoubleArray(Tensor t) {
        float[] values = t.toArray();
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /**
     * The values in row-major order truncated toward zero, as PyTorch's {@code .int()}. A NaN, an
     * infinity or a value outside the int range has no int value: PyTorch returns whatever the
     * CPU's conversion gives (-2^31 on x86) and Java's cast would saturate; both hide a bug, so
     * this throws instead.
     */
    static int[] toIntArray(Tensor t) {
        float[] values = t.toArray();
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            float v = values[i];
            if (!(v >= -INT_LIMIT && v < INT_LIMIT)) {
                throw new ArithmeticException("toIntArray(): element " + Arrays.toString(unravel(i, t.shape()))
                        + " of the tensor of shape " + Arrays.toString(t.shape()) + " is " + v
                        + ", which has no int value (the int range is [-2^31, 2^31))");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** The multi-index of the {@code flat}-th element in row-major order. */
    private static int[] unravel(int flat, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}
