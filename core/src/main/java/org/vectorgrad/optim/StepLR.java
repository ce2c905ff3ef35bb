package org.vectorgrad.optim;

/** Multiplies the lr by gamma every stepSize epochs ({@code torch.optim.lr_scheduler.StepLR}). */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1f);
    }

    public StepLR(Optimizer optimizer, int stepSize, float gamma) {
        super(optimizer);
        Hyper.check(stepSize > 0, "StepLR: step_size must be positive, got " + stepSize);
        this.stepSize = stepSize;
        this.gamma = Hyper.decimal(gamma);
    }

    @Override
    double nextLr(double current, int epoch) {
        return epoch % stepSize == 0 ? current * gamma : current;
    }
}
