package org.vectorgrad.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;
import org.vectorgrad.Tensor;

/** {@link DataLoader#batches}: each {@code iterator()} call is the next epoch. */
final class TensorBatches implements Iterable<Tensor[]> {
    private final TensorDataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    // Atomic so that iterators requested from several threads still get distinct, consecutive epochs.
    private final AtomicLong nextEpoch = new AtomicLong();

    TensorBatches(TensorDataset data, int batchSize, boolean shuffle, long seed) {
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    @Override
    public Iterator<Tensor[]> iterator() {
        int[] order = Batching.order(data.size(), shuffle, seed, nextEpoch.getAndIncrement());
        return Batching.batches(order, batchSize,
                (indices, from, size) -> data.get(Arrays.copyOfRange(indices, from, from + size)));
    }

    @Override
    public String toString() {
        return "DataLoader.batches(" + data + ", batchSize=" + batchSize + ", shuffle=" + shuffle + ", seed=" + seed
                + ")";
    }
}
