package org.vectorgrad.data;

import java.util.Iterator;
import org.vectorgrad.Tensor;
import org.vectorgrad.internal.SharedSecrets;
import org.vectorgrad.internal.TensorInternals;

/**
 * Batches of normalised images ({@code (pixel / 255 - mean) / std}) with their labels, like
 * {@code torch.utils.data.DataLoader}: optionally shuffled, the last batch smaller when the
 * count does not divide. The order of epoch {@code e} is {@code torch.randperm(n)} drawn from a
 * generator seeded with {@code seed + e}, so any epoch can be replayed on its own (for resuming).
 *
 * <p>{@link #batches} is the general form over in-memory tensors; both share one ordering and
 * batching mechanism. Iterating this image loader directly ({@link #iterator()}) always gives
 * epoch 0; ask for other epochs with {@link #epoch(int)}.
 */
public final class DataLoader implements Iterable<DataLoader.Batch> {
    private static final TensorInternals INTERNALS = SharedSecrets.tensorInternals();

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
        Batching.checkBatchSize(batchSize);
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

    /**
     * Batches of rows of {@code data}, one {@code Tensor[]} per batch (one tensor per stored tensor,
     * as {@link TensorDataset#get}); the last batch is smaller when {@code batchSize} does not
     * divide the size. Every call of {@code iterator()} on the result starts a new epoch: the
     * {@code k}-th call (counting from 0) visits the rows in the order
     * {@code torch.randperm(n, generator=torch.Generator().manual_seed(seed + k))} when
     * {@code shuffle}, else in order 0..n-1. So a for-each loop per epoch reshuffles like
     * PyTorch's {@code DataLoader(shuffle=True)}, and the whole run is reproducible from
     * {@code seed} (epoch {@code k} is seeded like {@code DistributedSampler.set_epoch(k)}).
     */
    public static Iterable<Tensor[]> batches(TensorDataset data, int batchSize, boolean shuffle, long seed) {
        if (data == null) {
            throw new IllegalArgumentException("batches: data must not be null");
        }
        return new TensorBatches(data, Batching.checkBatchSize(batchSize), shuffle, seed);
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
        return Batching.order(data.count(), shuffle, seed, epoch);
    }

    /** Epoch 0's batches. */
    @Override
    public Iterator<Batch> iterator() {
        return epoch(0);
    }

    /** The batches of epoch {@code epoch}, built lazily one at a time. */
    public Iterator<Batch> epoch(int epoch) {
        return Batching.batches(order(epoch), batchSize, this::assemble);
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
        // values is this batch's own array: wrapped, not copied (Tensor.fromArray would clone it).
        Tensor inputs = switch (shape) {
            case FLAT -> INTERNALS.wrap(values, new int[] {size, pixels});
            case IMAGE, IMAGE_RGB -> INTERNALS.wrap(values, new int[] {size, channels, data.rows(), data.cols()});
        };
        return new Batch(inputs, labels);
    }
}
