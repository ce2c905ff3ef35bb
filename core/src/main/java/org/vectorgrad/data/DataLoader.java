package org.vectorgrad.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;

/**
 * Batches of normalised images ({@code (pixel / 255 - mean) / std}) with their labels, like
 * {@code torch.utils.data.DataLoader}: optionally shuffled, the last batch smaller when the
 * count does not divide. The order of epoch {@code e} is {@code torch.randperm(n)} drawn from a
 * generator seeded with {@code seed + e}, so any epoch can be replayed on its own (for resuming).
 */
public final class DataLoader implements Iterable<DataLoader.Batch> {

    /** How a batch of images is shaped for the model. */
    public enum InputShape {
        /** N × (rows·cols), for fully connected models. */
        FLAT,
        /** N × 1 × rows × cols. */
        IMAGE,
        /** N × 3 × rows × cols, the grey channel repeated (for models built for RGB input). */
        IMAGE_RGB
    }

    /** One batch: inputs as a tensor, labels as class indices. */
    public record Batch(Tensor inputs, int[] labels) {
        public int size() {
            return labels.length;
        }
    }

    private final ImageDataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final InputShape shape;
    private final float[] normalised = new float[256];

    public DataLoader(ImageDataset data, int batchSize, boolean shuffle, long seed, InputShape shape,
                      float mean, float std) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size should be a positive integer, but got batchSize=" + batchSize);
        }
        if (!(std > 0)) {
            throw new IllegalArgumentException("normalisation std must be positive, got " + std);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.shape = shape;
        for (int v = 0; v < 256; v++) {
            normalised[v] = (v / 255f - mean) / std;
        }
    }

    /** A loader with Fashion-MNIST's mean and standard deviation. */
    public static DataLoader fashionMnist(ImageDataset data, int batchSize, boolean shuffle, long seed,
                                          InputShape shape) {
        return new DataLoader(data, batchSize, shuffle, seed, shape, FashionMnist.MEAN, FashionMnist.STD);
    }

    public ImageDataset dataset() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch, the last one possibly partial. */
    public int batchCount() {
        return (data.count() + batchSize - 1) / batchSize;
    }

    /** The sample order of epoch {@code epoch} (0-based). */
    public int[] order(int epoch) {
        if (shuffle) {
            return new Generator(seed + epoch).randperm(data.count());
        }
        int[] identity = new int[data.count()];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        return identity;
    }

    /** Epoch 0's batches. */
    @Override
    public Iterator<Batch> iterator() {
        return epoch(0);
    }

    /** The batches of epoch {@code epoch}, built lazily one at a time. */
    public Iterator<Batch> epoch(int epoch) {
        int[] order = order(epoch);
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int size = Math.min(batchSize, order.length - next);
                Batch batch = assemble(order, next, size);
                next += size;
                return batch;
            }
        };
    }

    private Batch assemble(int[] order, int from, int size) {
        int pixels = data.imageSize();
        int channels = shape == InputShape.IMAGE_RGB ? 3 : 1;
        float[] values = new float[size * channels * pixels];
        int[] labels = new int[size];
        byte[] source = data.pixels();
        for (int b = 0; b < size; b++) {
            int sample = order[from + b];
            labels[b] = data.label(sample);
            int src = sample * pixels;
            int dst = b * channels * pixels;
            for (int p = 0; p < pixels; p++) {
                values[dst + p] = normalised[source[src + p] & 0xff];
            }
            for (int c = 1; c < channels; c++) {
                System.arraycopy(values, dst, values, dst + c * pixels, pixels);
            }
        }
        Tensor inputs = switch (shape) {
            case FLAT -> Tensor.fromArray(values, size, pixels);
            case IMAGE, IMAGE_RGB -> Tensor.fromArray(values, size, channels, data.rows(), data.cols());
        };
        return new Batch(inputs, labels);
    }
}
