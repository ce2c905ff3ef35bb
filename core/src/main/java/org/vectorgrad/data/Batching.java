package org.vectorgrad.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.vectorgrad.Generator;

/**
 * The one place that decides sample order and cuts it into batches, shared by the image loader
 * ({@link DataLoader} over an {@link ImageDataset}) and {@link DataLoader#batches} over a
 * {@link TensorDataset}: epoch {@code e} of a shuffled loader visits
 * {@code torch.randperm(n, generator=torch.Generator().manual_seed(seed + e))}, as PyTorch's
 * {@code DistributedSampler.set_epoch(e)} does, so any epoch can be replayed on its own.
 */
final class Batching {
    private Batching() {
    }

    /** Builds one batch from {@code size} sample indices starting at {@code order[from]}. */
    @FunctionalInterface
    interface Assembler<T> {
        T assemble(int[] order, int from, int size);
    }

    static int checkBatchSize(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException(
                    "batch size should be a positive integer, but got batchSize=" + batchSize);
        }
        return batchSize;
    }

    /** The sample order of epoch {@code epoch}: the identity, or the seeded permutation described above. */
    static int[] order(int n, boolean shuffle, long seed, long epoch) {
        if (shuffle) {
            return new Generator(seed + epoch).randperm(n);
        }
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) {
            identity[i] = i;
        }
        return identity;
    }

    /** Consecutive batches of {@code batchSize} samples in {@code order}, the last possibly smaller, built lazily. */
    static <T> Iterator<T> batches(int[] order, int batchSize, Assembler<T> assembler) {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int size = Math.min(batchSize, order.length - next);
                T batch = assembler.assemble(order, next, size);
                next += size;
                return batch;
            }
        };
    }
}
