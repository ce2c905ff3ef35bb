package org.vectorgrad.nn;

/** Batch normalisation over N×C×H×W input, per channel ({@code torch.nn.BatchNorm2d}). */
public final class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int channels) {
        this(channels, 1e-5f, 0.1f);
    }

    public BatchNorm2d(int channels, float eps, float momentum) {
        super(channels, eps, momentum);
    }

    @Override
    void checkInputDim(int[] shape) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("expected 4D input (got " + shape.length + "D input)");
        }
    }
}
