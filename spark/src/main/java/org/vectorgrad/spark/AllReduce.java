package org.vectorgrad.spark;

import java.io.IOException;

/**
 * Sums a vector across the workers of a barrier stage: afterwards every worker holds
 * {@code v_0 + v_1 + ... + v_{K-1}}, each element added in worker order, so the result is the
 * same bits on every worker and in every run with the same worker count.
 */
interface AllReduce extends AutoCloseable {
    /**
     * Sums {@code v} over the workers and returns the array that holds the sum: {@code v} itself, or
     * this worker's own buffer. The caller must be done reading it before its next call, and must
     * not change {@code v} before its next call returns (workers of one JVM read it in place).
     * {@code step} checks that all workers are in the same step.
     */
    float[] sum(float[] v, int step) throws IOException;

    /**
     * {@link #sum} of the workers' {@link GradientStep#vector()}s: their gradients, then their
     * weighted losses, summed in worker order. An exchange whose workers can read each other's
     * gradients where they lie sums them without building the vectors.
     */
    default float[] sumGradients(GradientStep gradients, int step) throws IOException {
        return sum(gradients.vector(), step);
    }

    /**
     * Sends {@code outgoing[j]} to worker {@code j} and returns, at {@code [j]}, what worker
     * {@code j} sent this one (this worker's own entry is not sent). A collective.
     */
    byte[][] swap(byte[][] outgoing) throws IOException;

    /**
     * A collective, once per epoch: {@code own} (this worker's partition) completed with every
     * sample its shares of the epoch need from the others.
     */
    default ShardView complete(ShardView own, BatchShares shares, int rank) throws IOException {
        return SampleSwap.complete(own, shares, rank, this);
    }

    /** This worker failed: make the others' exchanges fail now instead of waiting for it. */
    default void abort() {
        close();
    }

    @Override
    void close();

    /**
     * {@code dst[dstOffset + i] = parts[0][offsets[0] + i] + parts[1][offsets[1] + i] + ...}, added
     * in that order, for {@code i < length}; {@code dst} may be one of the parts. In blocks, so
     * each part is read once and no vector-sized temporary is allocated.
     */
    static void addInOrder(float[][] parts, int[] offsets, int length, float[] dst, int dstOffset) {
        float[] acc = new float[Math.min(length, 4096)];
        for (int from = 0; from < length; from += acc.length) {
            int n = Math.min(acc.length, length - from);
            System.arraycopy(parts[0], offsets[0] + from, acc, 0, n);
            for (int k = 1; k < parts.length; k++) {
                float[] part = parts[k];
                int at = offsets[k] + from;
                for (int i = 0; i < n; i++) {
                    acc[i] += part[at + i];
                }
            }
            System.arraycopy(acc, 0, dst, dstOffset + from, n);
        }
    }

    /** What a worker was doing in {@code step}: -1 is the epoch's sample swap, before step 0. */
    static String doing(int step) {
        return step < 0 ? "exchanging samples before the first step" : "exchanging gradients in step " + step;
    }

    /** Chunk {@code c} of {@code n} elements split {@code k} ways starts at {@code floor(c·n/k)}. */
    static int bound(int n, int k, int c) {
        return (int) ((long) n * c / k);
    }
}
