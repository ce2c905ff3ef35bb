package org.vectorgrad.spark;

import java.io.Serializable;

/**
 * One labelled training example: its features (flattened row-major; the trainer reshapes them to
 * the model's sample shape) and its class index.
 */
public record Sample(float[] features, int label) implements Serializable {
    public Sample {
        if (features == null) {
            throw new IllegalArgumentException("Sample: features must not be null");
        }
        if (label < 0) {
            throw new IllegalArgumentException("Sample: label must be a class index >= 0, got " + label);
        }
    }
}
