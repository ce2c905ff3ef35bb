package org.vectorgrad;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * A row-major double-precision array: the independent reference that gradient checks
 * differentiate numerically. It never calls the library (only plain loops over indices), so a
 * bug in a Vectorgrad kernel, layout or backward formula cannot hide in its own oracle.
 */
record Ref(int[] shape, double[] v) {

    Ref {
        if (numel(shape) != v.length) {
            throw new IllegalArgumentException(v.length + " values for shape " + Arrays.toString(shape));
        }
    }

    static Ref of(float[] values, int... shape) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return new Ref(shape.clone(), v);
    }

    static Ref scalar(double value) {
        return new Ref(new int[0], new double[] {value});
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int size : shape) {
            n *= size;
        }
        return n;
    }

    int dim() {
        return shape.length;
    }

    /** The value of a one-element array. */
    double item() {
        if (v.length != 1) {
            throw new IllegalStateException("item() of " + Arrays.toString(shape));
        }
        return v[0];
    }

    static int[] rowMajorStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int step = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = step;
            step *= shape[d];
        }
        return strides;
    }

    /** The multi-index of the {@code flat}-th element in row-major order. */
    static int[] unravel(int flat, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    private static int wrap(int dim, int rank) {
        return dim < 0 ? dim + rank : dim;
    }

    /** Reads this array through arbitrary strides and offset (how every view is described). */
    private Ref gather(int[] newShape, int[] strides, int offset) {
        double[] out = new double[numel(newShape)];
        for (int i = 0; i < out.length; i++) {
            int[] index = unravel(i, newShape);
            int at = offset;
            for (int d = 0; d < index.length; d++) {
                at += index[d] * strides[d];
            }
            out[i] = v[at];
        }
        return new Ref(newShape, out);
    }

    // ---- elementwise -------------------------------------------------------------------------

    Ref map(DoubleUnaryOperator f) {
        double[] out = new double[v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(v[i]);
        }
        return new Ref(shape, out);
    }

    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 1; i <= rank; i++) {
            int sa = i <= a.length ? a[a.length - i] : 1;
            int sb = i <= b.length ? b[b.length - i] : 1;
            if (sa != sb && sa != 1 && sb != 1) {
                throw new IllegalArgumentException(Arrays.toString(a) + " vs " + Arrays.toString(b));
            }
            out[rank - i] = Math.max(sa, sb);
        }
        return out;
    }

    /** Materialises NumPy broadcasting to {@code target}. */
    Ref expand(int... target) {
        int lead = target.length - shape.length;
        int[] own = rowMajorStrides(shape);
        int[] strides = new int[target.length];
        for (int d = 0; d < shape.length; d++) {
            strides[lead + d] = shape[d] == target[lead + d] ? own[d] : 0;
        }
        return gather(target.clone(), strides, 0);
    }

    Ref zip(Ref other, DoubleBinaryOperator f) {
        int[] target = broadcast(shape, other.shape);
        Ref a = expand(target);
        Ref b = other.expand(target);
        double[] out = new double[a.v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(a.v[i], b.v[i]);
        }
        return new Ref(target, out);
    }

    Ref add(Ref o) {
        return zip(o, Double::sum);
    }

    Ref sub(Ref o) {
        return zip(o, (x, y) -> x - y);
    }

    Ref mul(Ref o) {
        return zip(o, (x, y) -> x * y);
    }

    Ref div(Ref o) {
        return zip(o, (x, y) -> x / y);
    }

    Ref scale(double factor) {
        return map(x -> x * factor);
    }

    static Ref where(Ref condition, Ref a, Ref b) {
        int[] target = broadcast(broadcast(condition.shape, a.shape), b.shape);
        Ref c = condition.expand(target);
        Ref x = a.expand(target);
        Ref y = b.expand(target);
        double[] out = new double[c.v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = c.v[i] != 0 ? x.v[i] : y.v[i];
        }
        return new Ref(target, out);
    }

    // ---- views (materialised) ------------------------------------------------------------------

    Ref reshape(int... newShape) {
        return new Ref(newShape.clone(), v);
    }

    Ref permute(int... order) {
        int[] own = rowMajorStrides(shape);
        int[] newShape = new int[order.length];
        int[] strides = new int[order.length];
        for (int d = 0; d < order.length; d++) {
            newShape[d] = shape[wrap(order[d], dim())];
            strides[d] = own[wrap(order[d], dim())];
        }
        return gather(newShape, strides, 0);
    }

    Ref transpose(int d0, int d1) {
        int[] order = new int[dim()];
        for (int d = 0; d < order.length; d++) {
            order[d] = d;
        }
        order[wrap(d0, dim())] = wrap(d1, dim());
        order[wrap(d1, dim())] = wrap(d0, dim());
        return permute(order);
    }

    Ref narrow(int dim, int start, int length) {
        int d = wrap(dim, dim());
        int[] newShape = shape.clone();
        newShape[d] = length;
        int[] own = rowMajorStrides(shape);
        return gather(newShape, own, start * own[d]);
    }

    Ref select(int dim, int index) {
        int d = wrap(dim, dim());
        int i = wrap(index, shape[d]);
        return narrow(d, i, 1).squeeze(d);
    }

    Ref unsqueeze(int dim) {
        int d = wrap(dim, dim() + 1);
        int[] newShape = new int[dim() + 1];
        for (int k = 0, j = 0; k < newShape.length; k++) {
            newShape[k] = k == d ? 1 : shape[j++];
        }
        return reshape(newShape);
    }

    Ref squeeze(int dim) {
        int d = wrap(dim, dim());
        if (shape[d] != 1) {
            return this;
        }
        int[] newShape = new int[dim() - 1];
        for (int k = 0, j = 0; k < shape.length; k++) {
            if (k != d) {
                newShape[j++] = shape[k];
            }
        }
        return reshape(newShape);
    }

    // ---- reductions and softmax --------------------------------------------------------------

    /** Sum over {@code dims}; an empty list sums nothing (unlike PyTorch's dim=[]). */
    Ref sum(int[] dims, boolean keepDim) {
        boolean[] reduce = new boolean[dim()];
        for (int d : dims) {
            reduce[wrap(d, dim())] = true;
        }
        int[] kept = new int[dim()];
        for (int d = 0; d < dim(); d++) {
            kept[d] = reduce[d] ? 1 : shape[d];
        }
        int[] keptStrides = rowMajorStrides(kept);
        double[] out = new double[numel(kept)];
        for (int i = 0; i < v.length; i++) {
            int[] index = unravel(i, shape);
            int at = 0;
            for (int d = 0; d < dim(); d++) {
                at += reduce[d] ? 0 : index[d] * keptStrides[d];
            }
            out[at] += v[i];
        }
        Ref result = new Ref(kept, out);
        return keepDim ? result : result.dropped(reduce);
    }

    private Ref dropped(boolean[] reduce) {
        int count = 0;
        for (boolean r : reduce) {
            count += r ? 0 : 1;
        }
        int[] newShape = new int[count];
        for (int d = 0, j = 0; d < dim(); d++) {
            if (!reduce[d]) {
                newShape[j++] = shape[d];
            }
        }
        return reshape(newShape);
    }

    /** PyTorch's sum_to_size: sums the leading dims away, then the dims where target has size 1. */
    Ref sumTo(int[] target) {
        int lead = dim() - target.length;
        int count = 0;
        int[] dims = new int[dim()];
        for (int d = 0; d < dim(); d++) {
            if (d < lead || (target[d - lead] == 1 && shape[d] != 1)) {
                dims[count++] = d;
            }
        }
        return sum(Arrays.copyOf(dims, count), true).reshape(target);
    }

    double sumAll() {
        double total = 0;
        for (double x : v) {
            total += x;
        }
        return total;
    }

    double maxAll() {
        return Arrays.stream(v).max().orElseThrow();
    }

    /** Applies {@code f} to every line along {@code dim}; f returns the new line (same length). */
    Ref alongDim(int dim, UnaryOperator<double[]> f) {
        if (dim() == 0) {
            return new Ref(shape, f.apply(v.clone()));
        }
        int d = wrap(dim, dim());
        int step = rowMajorStrides(shape)[d];
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            if (unravel(i, shape)[d] != 0) {
                continue;
            }
            double[] line = new double[shape[d]];
            for (int t = 0; t < line.length; t++) {
                line[t] = v[i + t * step];
            }
            double[] result = f.apply(line);
            for (int t = 0; t < line.length; t++) {
                out[i + t * step] = result[t];
            }
        }
        return new Ref(shape, out);
    }

    Ref softmax(int dim) {
        return alongDim(dim, line -> {
            double max = Arrays.stream(line).max().orElseThrow();
            double total = Arrays.stream(line).map(x -> Math.exp(x - max)).sum();
            return Arrays.stream(line).map(x -> Math.exp(x - max) / total).toArray();
        });
    }

    Ref logSoftmax(int dim) {
        return alongDim(dim, line -> {
            double max = Arrays.stream(line).max().orElseThrow();
            double logTotal = Math.log(Arrays.stream(line).map(x -> Math.exp(x - max)).sum());
            return Arrays.stream(line).map(x -> x - max - logTotal).toArray();
        });
    }

    /** Maximum along {@code dim} (inputs in gradient checks have a unique maximum per line). */
    Ref max(int dim, boolean keepDim) {
        if (dim() == 0) {
            return this;
        }
        int d = wrap(dim, dim());
        Ref lineMax = alongDim(d, line -> {
            double[] filled = new double[line.length];
            Arrays.fill(filled, Arrays.stream(line).max().orElseThrow());
            return filled;
        });
        Ref first = lineMax.narrow(d, 0, 1);
        return keepDim ? first : first.squeeze(d);
    }

    Ref mean(int dim, boolean keepDim) {
        int count = dim() == 0 ? 1 : shape[wrap(dim, dim())];
        return sum(dim() == 0 ? new int[0] : new int[] {dim}, keepDim).scale(1.0 / count);
    }

    // ---- matmul -------------------------------------------------------------------------------

    /** PyTorch's matmul: 1-D operands are promoted to matrices and the added dim removed after. */
    Ref matmul(Ref other) {
        Ref a = dim() == 1 ? unsqueeze(0) : this;
        Ref b = other.dim() == 1 ? other.unsqueeze(1) : other;
        int n = a.shape[a.dim() - 2];
        int k = a.shape[a.dim() - 1];
        int p = b.shape[b.dim() - 1];
        int[] batch = broadcast(Arrays.copyOf(a.shape, a.dim() - 2), Arrays.copyOf(b.shape, b.dim() - 2));
        Ref a3 = a.expand(concat(batch, n, k));
        Ref b3 = b.expand(concat(batch, k, p));
        int count = numel(batch);
        double[] out = new double[count * n * p];
        for (int m = 0; m < count; m++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < p; j++) {
                    double acc = 0;
                    for (int t = 0; t < k; t++) {
                        acc += a3.v[(m * n + i) * k + t] * b3.v[(m * k + t) * p + j];
                    }
                    out[(m * n + i) * p + j] = acc;
                }
            }
        }
        Ref result = new Ref(concat(batch, n, p), out);
        if (other.dim() == 1) {
            result = result.squeeze(-1);
        }
        return dim() == 1 ? result.squeeze(other.dim() == 1 ? -1 : -2) : result;
    }

    private static int[] concat(int[] batch, int rows, int columns) {
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = rows;
        out[batch.length + 1] = columns;
        return out;
    }
}
