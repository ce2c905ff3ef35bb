package org.vectorgrad.spark;

import java.io.IOException;

/**
 * Sums a vector across the workers of a barrier stage: afterwards every worker holds
 * {@code v_0 + v_1 + ... + v_{K-1}}, each element added in worker order, so the result is the
 * same bits on every worker and in every run with the same worker count.
 */
interface AllReduce extends AutoCloseable {
    /** Replaces {@code v} by the sum over workers; {@code step} checks that all workers are in the same step. */
    void sum(float[] v, int step) throws IOException;

    @Override
    void close();

    /** {@code sum[i] = parts[0][i] + parts[1][i] + ...}, in that order, for {@code [from, to)} of each part. */
    static void addInOrder(float[][] parts, int[] offsets, int length, float[] dst, int dstOffset) {
        float[] acc = new float[length];
        System.arraycopy(parts[0], offsets[0], acc, 0, length);
        for (int k = 1; k < parts.length; k++) {
            float[] part = parts[k];
            int at = offsets[k];
            for (int i = 0; i < length; i++) {
                acc[i] += part[at + i];
            }
        }
        System.arraycopy(acc, 0, dst, dstOffset, length);
    }

    /** Chunk {@code c} of {@code n} elements split {@code k} ways starts at {@code floor(c·n/k)}. */
    static int bound(int n, int k, int c) {
        return (int) ((long) n * c / k);
    }
}
