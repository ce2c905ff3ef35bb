package org.vectorgrad;

import java.util.Arrays;
import org.vectorgrad.simd.Shapes;

/** The bodies of Tensor's static factories, with PyTorch's messages for bad sizes. */
final class Factories {
    private Factories() {
    }

    static Tensor ofRows(float[][] rows) {
        int columns = rows.length == 0 ? 0 : rows[0].length;
        // Rows may share one array, so their count can overflow with little memory: check first.
        Layout.checkSizes(new int[] {rows.length, columns});
        float[] data = new float[rows.length * columns];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != columns) {
                throw new IllegalArgumentException("expected sequence of length " + columns
                        + " at dim 1 (got " + rows[r].length + ")");
            }
            System.arraycopy(rows[r], 0, data, r * columns, columns);
        }
        return Tensor.wrap(data, rows.length, columns);
    }

    static Tensor fromArray(float[] data, int[] shape) {
        checkShape(shape);
        if (Shapes.numel(shape) != data.length) {
            throw new IllegalArgumentException("shape '" + Arrays.toString(shape)
                    + "' is invalid for input of size " + data.length);
        }
        return Tensor.wrap(data.clone(), shape);
    }

    static Tensor full(float value, int[] shape) {
        checkShape(shape);
        float[] data = new float[Shapes.numel(shape)];
        if (Float.floatToRawIntBits(value) != 0) {
            Arrays.fill(data, value);
        }
        return Tensor.wrap(data, shape);
    }

    static Tensor random(int[] shape, boolean normal) {
        return random(Generator.defaultGenerator(), shape, normal);
    }

    static Tensor random(Generator generator, int[] shape, boolean normal) {
        if (generator == null) {
            throw new IllegalArgumentException((normal ? "randn" : "rand") + ": generator must not be null");
        }
        checkShape(shape);
        float[] data = new float[Shapes.numel(shape)];
        if (normal) {
            generator.fillNormal(data, 0, data.length, 0f, 1f);
        } else {
            generator.fillUniform(data, 0, data.length, 0f, 1f);
        }
        return Tensor.wrap(data, shape);
    }

    static Tensor arange(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("upper bound and larger bound inconsistent with step sign"
                    + " (arange(" + n + "))");
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = i;
        }
        return Tensor.wrap(data, n);
    }

    static Tensor eye(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be greater or equal to 0, got " + n);
        }
        if ((long) n * n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("eye(" + n + "): n * n = " + (long) n * n + " elements exceeds the "
                    + Integer.MAX_VALUE + " a Vectorgrad tensor can index");
        }
        float[] data = new float[n * n];
        for (int i = 0; i < n; i++) {
            data[i * n + i] = 1f;
        }
        return Tensor.wrap(data, n, n);
    }

    static void checkShape(int[] shape) {
        for (int size : shape) {
            if (size < 0) {
                throw new IllegalArgumentException("Trying to create tensor with negative dimension "
                        + size + ": " + Arrays.toString(shape));
            }
        }
    }
}
