package org.vectorgrad.simd;

/**
 * Walks the index space of a shape row by row for several strided operands at once. Dimensions
 * of size 1 are dropped and neighbouring dimensions that are contiguous in every operand are
 * merged first, so that e.g. two contiguous operands form one long row and kernels see the
 * longest possible inner loops.
 */
final class RowWalk {
    private final int[] outerShape;
    private final int[][] outerStrides;
    private final int rowLength;
    private final int[] innerStrides;
    private final long rowCount;

    private RowWalk(int[] shape, int[][] strides) {
        int rank = shape.length;
        int operands = strides.length;
        boolean empty = false;
        for (int size : shape) {
            empty |= size == 0;
        }
        this.rowLength = empty ? 0 : rank == 0 ? 1 : shape[rank - 1];
        this.innerStrides = new int[operands];
        this.outerShape = rank == 0 ? new int[0] : java.util.Arrays.copyOf(shape, rank - 1);
        this.outerStrides = new int[operands][];
        for (int k = 0; k < operands; k++) {
            innerStrides[k] = rank == 0 ? 0 : strides[k][rank - 1];
            outerStrides[k] = rank == 0 ? new int[0] : java.util.Arrays.copyOf(strides[k], rank - 1);
        }
        long rows = empty ? 0 : 1;
        for (int size : outerShape) {
            rows *= size;
        }
        this.rowCount = rows;
    }

    /** A walk over {@code shape} for operands with the given strides (one array per operand). */
    static RowWalk of(int[] shape, int[]... strides) {
        for (int[] s : strides) {
            if (s.length != shape.length) {
                throw new IllegalArgumentException("strides of rank " + s.length
                        + " for a shape of rank " + shape.length);
            }
        }
        int[] dims = new int[shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) {
                return new RowWalk(new int[] {0}, zeroStrides(strides.length));
            }
            if (shape[d] != 1) {
                dims[rank++] = d;
            }
        }
        return coalesce(shape, strides, java.util.Arrays.copyOf(dims, rank));
    }

    /** An elementwise walk: the inputs' strides, then a contiguous destination of the same shape. */
    static RowWalk intoContiguous(int[] shape, int[]... inputStrides) {
        int[][] strides = java.util.Arrays.copyOf(inputStrides, inputStrides.length + 1);
        strides[inputStrides.length] = Shapes.contiguousStrides(shape);
        return of(shape, strides);
    }

    /**
     * A walk over every dimension but {@code dim}, whose positions are the lines along
     * {@code dim}: operand a with its strides, the destination with {@code dstStrides} (both
     * given for the full shape).
     */
    static RowWalk linesAlong(int[] shape, int dim, int[] aStrides, int[] dstStrides) {
        return of(Shapes.without(shape, dim), Shapes.without(aStrides, dim), Shapes.without(dstStrides, dim));
    }

    /** As {@link #linesAlong(int[], int, int[], int[])} with one result per line, row-major. */
    static RowWalk linesAlong(int[] shape, int dim, int[] aStrides) {
        int[] kept = Shapes.without(shape, dim);
        return of(kept, Shapes.without(aStrides, dim), Shapes.contiguousStrides(kept));
    }

    private static int[][] zeroStrides(int operands) {
        int[][] strides = new int[operands][];
        for (int k = 0; k < operands; k++) {
            strides[k] = new int[] {0};
        }
        return strides;
    }

    // Merges dimension d into d+1 whenever every operand steps over d exactly as far as a whole
    // run of d+1: then the pair is one dimension of the product size.
    private static RowWalk coalesce(int[] shape, int[][] strides, int[] dims) {
        int operands = strides.length;
        int[] outShape = new int[dims.length];
        int[][] outStrides = new int[operands][dims.length];
        int rank = 0;
        for (int dim : dims) {
            boolean mergeable = rank > 0;
            for (int k = 0; k < operands && mergeable; k++) {
                mergeable = outStrides[k][rank - 1] == strides[k][dim] * shape[dim];
            }
            if (mergeable) {
                outShape[rank - 1] *= shape[dim];
                for (int k = 0; k < operands; k++) {
                    outStrides[k][rank - 1] = strides[k][dim];
                }
            } else {
                outShape[rank] = shape[dim];
                for (int k = 0; k < operands; k++) {
                    outStrides[k][rank] = strides[k][dim];
                }
                rank++;
            }
        }
        int[][] trimmed = new int[operands][];
        for (int k = 0; k < operands; k++) {
            trimmed[k] = java.util.Arrays.copyOf(outStrides[k], rank);
        }
        return new RowWalk(java.util.Arrays.copyOf(outShape, rank), trimmed);
    }

    /** Elements per row (0 when the shape is empty). */
    int rowLength() {
        return rowLength;
    }

    /** Distance between consecutive elements of a row of operand {@code k}. */
    int innerStride(int k) {
        return innerStrides[k];
    }

    /** Number of rows (0 when the shape is empty). */
    long rowCount() {
        return rowCount;
    }

    /** Calls the visitor for every row in row-major order, starting from the operands' offsets. */
    void forEachRow(int[] baseOffsets, RowVisitor visitor) {
        if (rowCount == 0) {
            return;
        }
        int operands = baseOffsets.length;
        int[] offsets = baseOffsets.clone();
        int[] index = new int[outerShape.length];
        for (long row = 0; row < rowCount; row++) {
            visitor.row(offsets, rowLength);
            advance(index, offsets, operands);
        }
    }

    // Odometer step over the outer dimensions, keeping every operand's offset in sync.
    private void advance(int[] index, int[] offsets, int operands) {
        for (int d = outerShape.length - 1; d >= 0; d--) {
            if (++index[d] < outerShape[d]) {
                for (int k = 0; k < operands; k++) {
                    offsets[k] += outerStrides[k][d];
                }
                return;
            }
            index[d] = 0;
            for (int k = 0; k < operands; k++) {
                offsets[k] -= outerStrides[k][d] * (outerShape[d] - 1);
            }
        }
    }
}
