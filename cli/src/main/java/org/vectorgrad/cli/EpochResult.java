package org.vectorgrad.cli;

/**
 * One finished epoch: mean training loss over its samples, accuracy on the test set (0..1),
 * training time in seconds (evaluation excluded) and training throughput.
 */
record EpochResult(int epoch, double trainLoss, double testAccuracy, double seconds, double samplesPerSecond) {
}
