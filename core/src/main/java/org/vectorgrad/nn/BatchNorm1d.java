package org.vectorgrad.nn;

/** Batch normalisation over N×C or N×C×L input, per feature ({@code torch.nn.BatchNorm1d}). */
public final class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int features) {
        this(features, 1e-5f, 0.1f);
    }

    public BatchNorm1d(int features, float eps, float momentum) {
        super(features, eps, momentum);
    }

    @Override
    void checkInputDim(int[] shape) {
        if (shape.length != 2 && shape.length != 3) {
            throw new IllegalArgumentException("expected 2D or 3D input (got " + shape.length + "D input)");
        }
    }
}
