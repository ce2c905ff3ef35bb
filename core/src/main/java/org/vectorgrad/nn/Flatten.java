package org.vectorgrad.nn;

import java.util.Arrays;
import org.vectorgrad.Tensor;

/** Merges dims startDim..endDim into one ({@code torch.nn.Flatten}, default 1..-1). */
public final class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] shape = x.shape();
        int start = wrap(startDim, shape.length);
        int end = wrap(endDim, shape.length);
        if (start > end) {
            throw new IllegalArgumentException("flatten() has invalid args: start_dim cannot come after end_dim");
        }
        if (shape.length == 0) {
            return x.reshape(1);
        }
        int merged = 1;
        for (int d = start; d <= end; d++) {
            merged *= shape[d];
        }
        int[] out = new int[shape.length - (end - start)];
        System.arraycopy(shape, 0, out, 0, start);
        out[start] = merged;
        System.arraycopy(shape, end + 1, out, start + 1, shape.length - end - 1);
        return Arrays.equals(out, shape) ? x : x.reshape(out);
    }

    /** PyTorch's dim wrapping, where a 0-d tensor counts as having one dim. */
    private static int wrap(int dim, int rank) {
        int effective = Math.max(rank, 1);
        if (dim < -effective || dim >= effective) {
            throw new IllegalArgumentException("Dimension out of range (expected to be in range of [" + -effective
                    + ", " + (effective - 1) + "], but got " + dim + ")");
        }
        return dim < 0 ? dim + effective : dim;
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
