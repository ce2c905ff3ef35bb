package org.vectorgrad.data;

import java.util.Arrays;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;

/**
 * Samples held in memory as tensors that share their first dimension ({@code torch.utils.data.TensorDataset}):
 * row {@code i} of every tensor together is sample {@code i}, e.g. features N×30 and labels N.
 *
 * <p>The dataset keeps its own row-major copy of each tensor's values, taken at construction:
 * later in-place changes to the tensors are not seen, and everything it returns is detached from
 * autograd. Values are float32 like every tensor here (a bool tensor comes back as 0/1 floats).
 * Instances are immutable and may be shared between threads.
 */
public final class TensorDataset {
    private final float[][] values;
    private final int[][] shapes;
    private final int[] rowSizes;
    private final int size;

    /** The samples are the rows of {@code tensors}, which must all have the same size in dimension 0. */
    public TensorDataset(Tensor... tensors) {
        this(copies(tensors), shapes(tensors));
    }

    private TensorDataset(float[][] values, int[][] shapes) {
        this.values = values;
        this.shapes = shapes;
        this.size = shapes[0][0];
        this.rowSizes = new int[shapes.length];
        for (int t = 0; t < shapes.length; t++) {
            rowSizes[t] = rowSize(shapes[t]);
        }
    }

    /** The number of samples: the common first dimension. */
    public int size() {
        return size;
    }

    /**
     * The samples at {@code indices}, in that order: one new contiguous tensor per stored tensor,
     * of shape {@code [indices.length, rest of its shape...]}. Runs of consecutive indices are copied
     * as one block, so an unshuffled batch is a single copy per tensor.
     */
    public Tensor[] get(int[] indices) {
        checkIndices(indices);
        Tensor[] batch = new Tensor[values.length];
        for (int t = 0; t < values.length; t++) {
            int[] shape = shapes[t].clone();
            shape[0] = indices.length;
            batch[t] = Tensor.fromArray(gather(values[t], rowSizes[t], indices), shape);
        }
        return batch;
    }

    /**
     * Splits the samples at random into two datasets, as
     * {@code torch.utils.data.random_split(dataset, [firstFraction, 1 - firstFraction],
     * generator=torch.Generator().manual_seed(seed))} does: the permutation is {@code torch.randperm(n)}
     * from that generator, the first part takes its first {@code floor(n * firstFraction)} entries,
     * the second the rest. Like PyTorch, when neither {@code n * firstFraction} nor
     * {@code n * (1 - firstFraction)} is a whole number, the sample left over by rounding both down
     * goes to the first part (e.g. n = 10, 0.25 gives 3 and 7).
     */
    public TensorDataset[] randomSplit(double firstFraction, long seed) {
        if (!(firstFraction >= 0 && firstFraction <= 1)) {
            throw new IllegalArgumentException(
                    "Fraction at index 0 is not between 0 and 1: firstFraction=" + firstFraction);
        }
        int first = firstLength(size, firstFraction);
        int[] permutation = new Generator(seed).randperm(size);
        return new TensorDataset[] {
            subset(Arrays.copyOfRange(permutation, 0, first)),
            subset(Arrays.copyOfRange(permutation, first, size)),
        };
    }

    /** PyTorch's lengths for fractions [f, 1 - f]: both floored, the remainder dealt round-robin from the first. */
    static int firstLength(int n, double fraction) {
        int[] lengths = {(int) Math.floor(n * fraction), (int) Math.floor(n * (1 - fraction))};
        int remainder = n - lengths[0] - lengths[1];
        for (int i = 0; i < remainder; i++) {
            lengths[i % 2]++;
        }
        return lengths[0];
    }

    private TensorDataset subset(int[] indices) {
        float[][] gathered = new float[values.length][];
        int[][] subShapes = new int[values.length][];
        for (int t = 0; t < values.length; t++) {
            gathered[t] = gather(values[t], rowSizes[t], indices);
            subShapes[t] = shapes[t].clone();
            subShapes[t][0] = indices.length;
        }
        return new TensorDataset(gathered, subShapes);
    }

    /** Rows {@code indices} of a row-major array, each run of consecutive indices copied in one block. */
    private static float[] gather(float[] source, int rowSize, int[] indices) {
        if ((long) indices.length * rowSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("TensorDataset.get: " + indices.length + " rows of " + rowSize
                    + " values do not fit in one tensor");
        }
        float[] out = new float[indices.length * rowSize];
        int i = 0;
        while (i < indices.length) {
            int start = indices[i];
            int run = 1;
            while (i + run < indices.length && indices[i + run] == start + run) {
                run++;
            }
            System.arraycopy(source, start * rowSize, out, i * rowSize, run * rowSize);
            i += run;
        }
        return out;
    }

    private void checkIndices(int[] indices) {
        if (indices == null) {
            throw new IllegalArgumentException("TensorDataset.get: indices must not be null");
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= size) {
                throw new IllegalArgumentException("index " + indices[i] + " is out of bounds for a dataset of size "
                        + size + " (at position " + i + " of the indices)");
            }
        }
    }

    private static float[][] copies(Tensor[] tensors) {
        checkTensors(tensors);
        float[][] copies = new float[tensors.length][];
        for (int t = 0; t < tensors.length; t++) {
            copies[t] = tensors[t].toArray();
        }
        return copies;
    }

    private static int[][] shapes(Tensor[] tensors) {
        int[][] shapes = new int[tensors.length][];
        for (int t = 0; t < tensors.length; t++) {
            shapes[t] = tensors[t].shape();
        }
        return shapes;
    }

    private static void checkTensors(Tensor[] tensors) {
        if (tensors == null || tensors.length == 0) {
            throw new IllegalArgumentException("TensorDataset needs at least one tensor");
        }
        for (int t = 0; t < tensors.length; t++) {
            if (tensors[t] == null) {
                throw new IllegalArgumentException("TensorDataset: tensor " + t + " is null");
            }
            if (tensors[t].dim() == 0) {
                throw new IllegalArgumentException("TensorDataset: tensor " + t
                        + " is 0-d and has no first dimension to index samples by");
            }
        }
        int[] firstDims = Arrays.stream(tensors).mapToInt(tensor -> tensor.shape()[0]).toArray();
        if (Arrays.stream(firstDims).anyMatch(d -> d != firstDims[0])) {
            StringBuilder shapes = new StringBuilder();
            for (Tensor tensor : tensors) {
                shapes.append(shapes.isEmpty() ? "" : ", ").append(Arrays.toString(tensor.shape()));
            }
            throw new IllegalArgumentException("Size mismatch between tensors: first dimensions "
                    + Arrays.toString(firstDims) + " (shapes " + shapes + ")");
        }
    }

    private static int rowSize(int[] shape) {
        int row = 1;
        for (int d = 1; d < shape.length; d++) {
            row *= shape[d];
        }
        return row;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("TensorDataset[").append(size).append(" samples");
        for (int[] shape : shapes) {
            out.append(", ").append(Arrays.toString(shape));
        }
        return out.append(']').toString();
    }
}
