package org.vectorgrad.simd;

import java.util.function.IntBinaryOperator;
import java.util.function.Supplier;

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
    private final int rank;

    private RowWalk(int[] shape, int[][] strides) {
        this.rank = shape.length;
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

    /** The merged shape: the outer dimensions, then the row (none for a rank-0 shape). */
    int[] shape() {
        return withInner(outerShape, rowLength);
    }

    /** Operand k's strides over {@link #shape()}. */
    int[] strides(int k) {
        return withInner(outerStrides[k], innerStrides[k]);
    }

    private int[] withInner(int[] outer, int inner) {
        if (rank == 0) {
            return new int[0];
        }
        int[] all = java.util.Arrays.copyOf(outer, outer.length + 1);
        all[outer.length] = inner;
        return all;
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
        walk(outerShape, baseOffsets.clone(), rowLength, visitor);
    }

    /**
     * Calls the visitor for the elements {@code [from, to)} of the row-major index space, in
     * order: a partial first row, whole rows, a partial last row.
     */
    void forEachRow(int[] baseOffsets, long from, long to, RowVisitor visitor) {
        if (from >= to) {
            return;
        }
        int operands = baseOffsets.length;
        int[] offsets = baseOffsets.clone();
        int[] index = new int[outerShape.length];
        long rest = from / rowLength;
        for (int d = outerShape.length - 1; d >= 0; d--) {
            index[d] = (int) (rest % outerShape[d]);
            rest /= outerShape[d];
            for (int k = 0; k < operands; k++) {
                offsets[k] += index[d] * outerStrides[k][d];
            }
        }
        int column = (int) (from % rowLength);
        int[] shifted = new int[operands];
        for (long remaining = to - from; remaining > 0; column = 0) {
            int length = (int) Math.min(rowLength - column, remaining);
            for (int k = 0; k < operands; k++) {
                shifted[k] = offsets[k] + column * innerStrides[k];
            }
            visitor.row(shifted, length);
            remaining -= length;
            if (remaining > 0) {
                advance(outerShape, index, offsets);
            }
        }
    }

    /**
     * Visits every row in parallel chunks of whole {@code granule}s of the row-major index space
     * (at least {@code minElements} elements per chunk); each chunk gets its own visitor from
     * {@code visitors}, and chunks must write disjoint memory (every element its own result).
     */
    void forEachRowParallel(int[] baseOffsets, int granule, int minElements, Supplier<RowVisitor> visitors) {
        long numel = rowCount * rowLength;
        int granules = (int) ((numel + granule - 1) / granule);
        Parallel.forRange(granules, ceilDiv(minElements, granule), (from, to) -> forEachRow(
                baseOffsets, (long) from * granule, Math.min((long) to * granule, numel), visitors.get()));
    }

    /**
     * Visits every row in parallel chunks that split one dimension whose indices all own distinct
     * elements of operand {@code owner} (a nonzero stride; with a row-major destination, disjoint
     * index ranges then touch disjoint destination elements, whatever the other operands do).
     * Each chunk walks its slice in row-major order, so an element of {@code owner} sees the same
     * rows in the same order for every chunking. Without such a dimension, runs on one thread.
     */
    void forEachRowOwning(int[] baseOffsets, int owner, int minElements, Supplier<RowVisitor> visitors) {
        int dim = ownedDimension(owner);
        if (dim < 0) {
            forEachRow(baseOffsets, visitors.get());
            return;
        }
        int size = dim == outerShape.length ? rowLength : outerShape[dim];
        long perIndex = rowCount * rowLength / size;
        int minIndices = (int) Math.min(size, (minElements + perIndex - 1) / perIndex);
        Parallel.forRange(size, minIndices, (from, to) -> forEachRowWithin(baseOffsets, dim, from, to, visitors.get()));
    }

    // The outermost dimension owned by operand k that has at least one index per thread, else the
    // largest one owned; outer dimensions are 0.., the row is the last. -1 when none is owned.
    private int ownedDimension(int k) {
        int best = -1;
        int bestSize = 1;
        for (int d = 0; d <= outerShape.length; d++) {
            boolean row = d == outerShape.length;
            int size = row ? rowLength : outerShape[d];
            int stride = row ? innerStrides[k] : outerStrides[k][d];
            if (stride != 0 && size >= Parallel.callerThreads() && size > 1) {
                return d;
            }
            if (stride != 0 && size > bestSize) {
                best = d;
                bestSize = size;
            }
        }
        return best;
    }

    // The rows with the index of walk dimension dim (the row when dim is the outer rank) in [from, to).
    private void forEachRowWithin(int[] baseOffsets, int dim, int from, int to, RowVisitor visitor) {
        int[] offsets = baseOffsets.clone();
        boolean row = dim == outerShape.length;
        for (int k = 0; k < offsets.length; k++) {
            offsets[k] += from * (row ? innerStrides[k] : outerStrides[k][dim]);
        }
        int[] shape = outerShape;
        if (!row) {
            shape = outerShape.clone();
            shape[dim] = to - from;
        }
        walk(shape, offsets, row ? to - from : rowLength, visitor);
    }

    /**
     * Σ over fixed pieces of {@code piece} elements of the row-major index space, in order, of
     * Σ over the piece's row segments, in order, of {@code rows}' value for the segment; pieces
     * run in parallel (at least {@code minElements} elements per chunk) into per-piece partials.
     * The pieces do not depend on the thread count, so neither do the bits of the result.
     */
    double sumInPieces(int[] baseOffsets, int piece, int minElements, Supplier<RowReducer> rows) {
        long numel = rowCount * rowLength;
        int pieces = (int) ((numel + piece - 1) / piece);
        if (pieces <= 1) {
            RowReducer reducer = rows.get();
            double[] total = {0};
            forEachRow(baseOffsets, (o, n) -> total[0] += reducer.row(o, n));
            return total[0];
        }
        double[] partials = new double[pieces];
        Parallel.forRange(pieces, ceilDiv(minElements, piece), (from, to) -> {
            RowReducer reducer = rows.get();
            for (int p = from; p < to; p++) {
                double[] total = {0};
                forEachRow(baseOffsets, (long) p * piece, Math.min((long) (p + 1) * piece, numel),
                        (o, n) -> total[0] += reducer.row(o, n));
                partials[p] = total[0];
            }
        });
        double total = 0;
        for (double partial : partials) {
            total += partial;
        }
        return total;
    }

    /**
     * The first index of the maximum of the line a[base + t * step], t &lt; length (NaN wins with
     * its first index, ties keep the first), from the first maxima of fixed pieces of the line
     * found in parallel by {@code firstMax(from, to)} and combined in order: exact, so the same
     * for every thread count.
     */
    static int firstMaxInPieces(float[] a, int base, int step, int length, int piece, int minElements,
                                IntBinaryOperator firstMax) {
        int pieces = (length + piece - 1) / piece;
        int[] found = new int[pieces];
        Parallel.forRange(pieces, ceilDiv(minElements, piece), (from, to) -> {
            for (int p = from; p < to; p++) {
                found[p] = firstMax.applyAsInt(p * piece, Math.min((p + 1) * piece, length));
            }
        });
        int best = found[0];
        for (int p = 1; p < pieces; p++) {
            float bestValue = a[base + best * step];
            float x = a[base + found[p] * step];
            if (bestValue != bestValue) {
                break;
            }
            if (x > bestValue || x != x) {
                best = found[p];
            }
        }
        return best;
    }

    /** Reduces one row (see {@link RowVisitor#row}) to a number. */
    @FunctionalInterface
    interface RowReducer {
        double row(int[] offsets, int length);
    }

    private static int ceilDiv(int x, int y) {
        return Math.max(1, (x + y - 1) / y);
    }

    // Rows of rowLength over the odometer of shape (this walk's outer strides), from offsets.
    private void walk(int[] shape, int[] offsets, int length, RowVisitor visitor) {
        long rows = 1;
        for (int size : shape) {
            rows *= size;
        }
        if (rowCount == 0 || length == 0) {
            return;
        }
        int[] index = new int[shape.length];
        for (long row = 0; row < rows; row++) {
            visitor.row(offsets, length);
            advance(shape, index, offsets);
        }
    }

    // Odometer step over the outer dimensions, keeping every operand's offset in sync.
    private void advance(int[] shape, int[] index, int[] offsets) {
        int operands = offsets.length;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++index[d] < shape[d]) {
                for (int k = 0; k < operands; k++) {
                    offsets[k] += outerStrides[k][d];
                }
                return;
            }
            index[d] = 0;
            for (int k = 0; k < operands; k++) {
                offsets[k] -= outerStrides[k][d] * (shape[d] - 1);
            }
        }
    }
}
