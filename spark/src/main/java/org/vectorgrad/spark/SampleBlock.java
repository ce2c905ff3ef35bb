package org.vectorgrad.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Consecutive training samples by global index: samples {@code firstIndex .. firstIndex+count-1},
 * their features row-major in one array ({@code count × featureSize}) and their labels. Blocks
 * are how training data sits in Spark partitions: far fewer, larger objects than one per sample.
 * The global index decides a sample's place in every epoch's shuffled order, so it is the same
 * sample order as single-process training over the same data.
 */
public final class SampleBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long firstIndex;
    private final int featureSize;
    private final float[] features;
    private final int[] labels;

    /** Takes ownership of the arrays; {@code features.length} must be {@code labels.length × featureSize}. */
    public SampleBlock(long firstIndex, int featureSize, float[] features, int[] labels) {
        if (firstIndex < 0 || featureSize <= 0) {
            throw new IllegalArgumentException("SampleBlock: firstIndex must be >= 0 and featureSize > 0, got "
                    + firstIndex + " and " + featureSize);
        }
        if ((long) labels.length * featureSize != features.length) {
            throw new IllegalArgumentException("SampleBlock: " + labels.length + " labels of " + featureSize
                    + " features need " + (long) labels.length * featureSize + " values, got " + features.length);
        }
        for (int label : labels) {
            if (label < 0) {
                throw new IllegalArgumentException("SampleBlock: labels must be class indices >= 0, got " + label);
            }
        }
        this.firstIndex = firstIndex;
        this.featureSize = featureSize;
        this.features = features;
        this.labels = labels;
    }

    public long firstIndex() {
        return firstIndex;
    }

    /** One past the last sample's global index. */
    public long endIndex() {
        return firstIndex + labels.length;
    }

    public int count() {
        return labels.length;
    }

    public int featureSize() {
        return featureSize;
    }

    int label(int local) {
        return labels[local];
    }

    /** Copies sample {@code local}'s features into {@code dst} at {@code offset}. */
    void copyFeatures(int local, float[] dst, int offset) {
        System.arraycopy(features, local * featureSize, dst, offset, featureSize);
    }

    /** Samples {@code [from, to)} of this block (global indices), copied. */
    SampleBlock slice(long from, long to) {
        int a = (int) (from - firstIndex);
        int b = (int) (to - firstIndex);
        return new SampleBlock(from, featureSize, Arrays.copyOfRange(features, a * featureSize, b * featureSize),
                Arrays.copyOfRange(labels, a, b));
    }

    @Override
    public String toString() {
        return "SampleBlock[" + firstIndex + ".." + endIndex() + ", " + featureSize + " features]";
    }
}
