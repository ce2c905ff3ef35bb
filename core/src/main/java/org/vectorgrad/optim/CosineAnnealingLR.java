package org.vectorgrad.optim;

/**
 * Cosine annealing from the base lr to etaMin over tMax epochs, then back up, periodically
 * ({@code torch.optim.lr_scheduler.CosineAnnealingLR}, PyTorch 1.13's recursive form).
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0f);
    }

    public CosineAnnealingLR(Optimizer optimizer, int tMax, float etaMin) {
        super(optimizer);
        Hyper.check(tMax > 0, "CosineAnnealingLR: T_max must be positive, got " + tMax);
        this.tMax = tMax;
        this.etaMin = Hyper.decimal(etaMin);
    }

    /** NOTE: StrictMath.cos (fdlibm) stands in for glibc's cos; both are within an ulp of the truth. */
    @Override
    double nextLr(double current, int epoch) {
        if (Math.floorMod(epoch - 1 - tMax, 2 * tMax) == 0) {
            return current + (baseLr() - etaMin) * (1 - StrictMath.cos(Math.PI / tMax)) / 2;
        }
        return (1 + StrictMath.cos(Math.PI * epoch / tMax)) / (1 + StrictMath.cos(Math.PI * (epoch - 1) / tMax))
                * (current - etaMin) + etaMin;
    }
}
