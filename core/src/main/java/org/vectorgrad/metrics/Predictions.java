package org.vectorgrad.metrics;

import java.util.Arrays;
import org.vectorgrad.Tensor;

/**
 * A metric's validated input: the prediction values (row-major), the sample count, and the number
 * of class columns (0 for the binary layouts N and N×1).
 */
record Predictions(float[] values, int n, int classes) {

    static Predictions of(String metric, Tensor predictions, int[] targets) {
        if (predictions == null || targets == null) {
            throw new IllegalArgumentException(metric + ": predictions and targets must not be null");
        }
        int[] shape = predictions.shape();
        if (shape.length < 1 || shape.length > 2) {
            throw new IllegalArgumentException(metric + " expects predictions of shape [N], [N, 1] or [N, C], got"
                    + " shape " + Arrays.toString(shape));
        }
        int n = shape[0];
        int classes = shape.length == 2 && shape[1] != 1 ? shape[1] : 0;
        if (shape.length == 2 && shape[1] == 0) {
            throw new IllegalArgumentException(metric + ": predictions of shape " + Arrays.toString(shape)
                    + " have no class columns");
        }
        if (targets.length != n) {
            throw new IllegalArgumentException(metric + ": predictions of shape " + Arrays.toString(shape)
                    + " hold " + n + " samples but there are " + targets.length + " targets");
        }
        if (n == 0) {
            throw new IllegalArgumentException(metric + " is undefined for 0 samples");
        }
        int bound = classes == 0 ? 2 : classes;
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0 || targets[i] >= bound) {
                throw new IllegalArgumentException(metric + ": target " + targets[i] + " at index " + i
                        + " is out of bounds for " + (classes == 0 ? "binary predictions (targets 0 or 1)"
                        : classes + " classes"));
            }
        }
        return new Predictions(predictions.toArray(), n, classes);
    }

    boolean binary() {
        return classes == 0;
    }

    /** The first largest column of row {@code row}; a NaN counts as largest, as in {@code torch.argmax}. */
    int argmax(int row) {
        int base = row * classes;
        int best = 0;
        for (int j = 1; j < classes && !Float.isNaN(values[base + best]); j++) {
            float v = values[base + j];
            if (v > values[base + best] || Float.isNaN(v)) {
                best = j;
            }
        }
        return best;
    }
}
