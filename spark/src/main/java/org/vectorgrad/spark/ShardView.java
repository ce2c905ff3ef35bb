package org.vectorgrad.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.vectorgrad.Tensor;

/**
 * The samples a worker can read, sorted by global index: the blocks of its partition, plus (once
 * the epoch's shares are known) those its peers sent it or, in one JVM, its peers' blocks
 * themselves. Blocks are never modified, so views may share them across threads.
 */
final class ShardView {
    private final SampleBlock[] blocks;
    private final long[] starts;
    private final int featureSize;

    private ShardView(List<SampleBlock> blocks, int featureSize) {
        this.blocks = blocks.toArray(new SampleBlock[0]);
        Arrays.sort(this.blocks, Comparator.comparingLong(SampleBlock::firstIndex));
        this.starts = new long[this.blocks.length];
        for (int i = 0; i < this.blocks.length; i++) {
            starts[i] = this.blocks[i].firstIndex();
        }
        this.featureSize = featureSize;
    }

    static ShardView of(Iterator<SampleBlock> partition, int featureSize) {
        List<SampleBlock> list = new ArrayList<>();
        partition.forEachRemaining(list::add);
        return new ShardView(list, featureSize);
    }

    /** Every block of {@code views} (which hold disjoint samples) in one view. */
    static ShardView merge(List<ShardView> views) {
        List<SampleBlock> all = new ArrayList<>();
        for (ShardView view : views) {
            all.addAll(Arrays.asList(view.blocks));
        }
        return new ShardView(all, views.getFirst().featureSize);
    }

    /** This view and {@code received} (samples it does not hold). */
    ShardView plus(List<SampleBlock> received) {
        List<SampleBlock> all = new ArrayList<>(Arrays.asList(blocks));
        all.addAll(received);
        return new ShardView(all, featureSize);
    }

    int featureSize() {
        return featureSize;
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

    boolean holds(long index) {
        return blockOf(index) >= 0;
    }

    /** Copies sample {@code index}'s features into {@code dst} at {@code offset} and returns its label. */
    int copy(long index, float[] dst, int offset) {
        int b = blockOf(index);
        if (b < 0) {
            throw new IllegalStateException("sample " + index + " is neither in this worker's partition nor among"
                    + " the samples its peers sent it");
        }
        int local = (int) (index - starts[b]);
        blocks[b].copyFeatures(local, dst, offset);
        return blocks[b].label(local);
    }

    /** The samples {@code indices}, in that order, as a batch of {@code sampleShape} inputs. */
    Batch select(int[] indices, int[] sampleShape) {
        if (indices.length == 0) {
            return new Batch(null, new int[0]);
        }
        float[] values = new float[indices.length * featureSize];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            labels[i] = copy(indices[i], values, i * featureSize);
        }
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = indices.length;
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
