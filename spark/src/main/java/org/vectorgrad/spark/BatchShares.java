package org.vectorgrad.spark;

import java.util.Arrays;

/**
 * Which samples each worker computes in an epoch: of every global batch of {@code b} samples
 * ({@code order} cut into steps of {@code batchSize}), worker {@code k} of {@code world} takes
 * positions {@code floor(k·b/world) .. floor((k+1)·b/world) - 1}, as PyTorch's DistributedSampler
 * deals equal shares. Equal shares, not "the samples a worker happens to hold": those split each
 * batch binomially (29/35 of 64 is typical), and every step the larger share keeps the others
 * waiting. Workers get the samples they lack from their peers once per epoch.
 */
record BatchShares(int[] order, int batchSize, int world) {

    int steps() {
        return (order.length + batchSize - 1) / batchSize;
    }

    /** The global indices worker {@code rank} computes in step {@code step}, in batch order. */
    int[] of(int step, int rank) {
        int from = step * batchSize;
        int size = Math.min(order.length, from + batchSize) - from;
        return Arrays.copyOfRange(order, from + AllReduce.bound(size, world, rank),
                from + AllReduce.bound(size, world, rank + 1));
    }

    /** {@link #of} of every step, concatenated: all the samples worker {@code rank} needs this epoch. */
    int[] epochOf(int rank) {
        int[] all = new int[order.length];
        int n = 0;
        for (int step = 0; step < steps(); step++) {
            int[] share = of(step, rank);
            System.arraycopy(share, 0, all, n, share.length);
            n += share.length;
        }
        return Arrays.copyOf(all, n);
    }

    /** For every global index {@code 0..order.length-1}, the worker that computes it this epoch. */
    int[] workerOfEveryIndex() {
        int[] worker = new int[order.length];
        for (int rank = 0; rank < world; rank++) {
            for (int index : epochOf(rank)) {
                worker[index] = rank;
            }
        }
        return worker;
    }
}
