package org.vectorgrad.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.vectorgrad.Tensor;

/**
 * A worker's samples: the blocks of its partition, sorted by global index, and the batches it
 * assembles from them. Every worker sees each step's whole global batch (the indices, from the
 * shared epoch order) and takes the samples it holds, in batch order.
 */
final class ShardView {
    private final SampleBlock[] blocks;
    private final long[] starts;
    private final int featureSize;

    private ShardView(List<SampleBlock> sorted, int featureSize) {
        this.blocks = sorted.toArray(new SampleBlock[0]);
        this.starts = new long[blocks.length];
        for (int i = 0; i < blocks.length; i++) {
            starts[i] = blocks[i].firstIndex();
        }
        this.featureSize = featureSize;
    }

    static ShardView of(Iterator<SampleBlock> partition, int featureSize) {
        List<SampleBlock> list = new ArrayList<>();
        partition.forEachRemaining(list::add);
        list.sort(Comparator.comparingLong(SampleBlock::firstIndex));
        return new ShardView(list, featureSize);
    }

    /** The block holding global index {@code index}, or -1. */
    private int blockOf(long index) {
        int lo = 0;
        int hi = blocks.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] > index) {
                hi = mid - 1;
            } else if (blocks[mid].endIndex() <= index) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** This worker's part of a global batch: {@code order[from, to)}, the samples it holds, in that order. */
    Batch select(int[] order, int from, int to, int[] sampleShape) {
        int[] block = new int[to - from];
        int[] local = new int[to - from];
        int mine = 0;
        for (int i = from; i < to; i++) {
            int b = blockOf(order[i]);
            if (b >= 0) {
                block[mine] = b;
                local[mine++] = (int) (order[i] - starts[b]);
            }
        }
        if (mine == 0) {
            return new Batch(null, new int[0]);
        }
        float[] values = new float[mine * featureSize];
        int[] labels = new int[mine];
        for (int i = 0; i < mine; i++) {
            blocks[block[i]].copyFeatures(local[i], values, i * featureSize);
            labels[i] = blocks[block[i]].label(local[i]);
        }
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = mine;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return new Batch(Tensor.fromArray(values, shape), labels);
    }

    /** Inputs (null when empty) and labels of a worker's part of a batch. */
    record Batch(Tensor inputs, int[] labels) {
        int size() {
            return labels.length;
        }
    }
}
