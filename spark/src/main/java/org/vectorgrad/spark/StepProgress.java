package org.vectorgrad.spark;

/** Told on the driver, from the caller's thread, as an epoch advances (at most every 100 ms). */
@FunctionalInterface
public interface StepProgress {
    /** {@code samples} trained so far this epoch, their mean loss, and the time since the epoch began. */
    void update(int samples, double meanLoss, long elapsedNanos);

    StepProgress NONE = (samples, meanLoss, elapsedNanos) -> { };
}
