package org.vectorgrad.nn;

import org.vectorgrad.Tensor;

/** Averages each channel down to outputSize × outputSize ({@code torch.nn.AdaptiveAvgPool2d}). */
public final class AdaptiveAvgPool2d extends Module {
    private final int outputSize;

    public AdaptiveAvgPool2d(int outputSize) {
        if (outputSize <= 0) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: output_size must be positive, got " + outputSize);
        }
        this.outputSize = outputSize;
    }

    @Override
    public Tensor forward(Tensor x) {
        Pool2d.checkInput(x.shape());
        return Functional.adaptiveAvgPool2d(x, outputSize);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + outputSize;
    }
}
