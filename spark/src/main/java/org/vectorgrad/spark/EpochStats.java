package org.vectorgrad.spark;

/**
 * One distributed epoch: samples trained, their mean loss, the loss of every step (the global
 * batch's mean, in step order), wall time on the driver, and the per-step synchronisation time:
 * the mean time a worker spent in the gradient exchange, taking the worker that waited least (so
 * waiting for a slower peer's compute is mostly excluded; what remains is the exchange itself).
 */
public record EpochStats(int epoch, int samples, double meanLoss, float[] stepLosses, double seconds,
                         int workers, double syncMicrosPerStep) {
    public int steps() {
        return stepLosses.length;
    }
}
