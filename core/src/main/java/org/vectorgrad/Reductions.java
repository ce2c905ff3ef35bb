package org.vectorgrad;

import static org.vectorgrad.Ops.K;
import static org.vectorgrad.Ops.NONE;
import static org.vectorgrad.Ops.grads;
import static org.vectorgrad.Ops.inputs;
import static org.vectorgrad.Ops.record;
import static org.vectorgrad.Ops.saved;

import java.util.Arrays;
import org.vectorgrad.simd.BinaryOp;
import org.vectorgrad.simd.Shapes;
import org.vectorgrad.simd.UnaryOp;

/** Sums, means, maxima and norms: forward kernel and backward formula side by side. */
final class Reductions {
    private Reductions() {
    }

    /** Forward sum over the flagged dimensions; result shape keeps them as 1 when keepDim. */
    private static Tensor sumKernel(Tensor x, boolean[] reduce, boolean keepDim) {
        Tensor out = Ops.empty(reducedShape(x.layout.shape, reduce, keepDim));
        K.sum(x.layout.shape, x.data, x.layout.offset, x.layout.strides, reduce, out.data, 0);
        return out;
    }

    static Tensor sum(Tensor x) {
        int[] shape = x.layout.shape; // never mutated
        boolean[] all = new boolean[shape.length];
        Arrays.fill(all, true);
        return record("SumBackward0", sumKernel(x, all, false), inputs(x), NONE,
                (g, s, n) -> grads(g.expand(shape)));
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        int[] shape = x.layout.shape; // never mutated
        boolean[] reduce = dimMask(dims, shape.length);
        if (dims.length == 0) {
            Arrays.fill(reduce, true); // PyTorch 1.13: sum(dim=[]) reduces every dim
        }
        return record("SumBackward1", sumKernel(x, reduce, keepDim), inputs(x), NONE,
                (g, s, n) -> grads(unsqueezeReduced(g, reduce, keepDim).expand(shape)));
    }

    static Tensor mean(Tensor x) {
        int[] shape = x.layout.shape; // never mutated
        boolean[] all = new boolean[shape.length];
        Arrays.fill(all, true);
        float count = x.numel();
        Tensor result = sumKernel(x, all, false);
        divideInPlace(result, count);
        return record("MeanBackward0", result, inputs(x), NONE,
                (g, s, n) -> grads(g.expand(shape).div(count)));
    }

    static Tensor mean(Tensor x, int dim, boolean keepDim) {
        int[] shape = x.layout.shape; // never mutated
        boolean[] reduce = dimMask(new int[] {dim}, shape.length);
        float count = shape.length == 0 ? 1 : shape[Layout.wrapDim(dim, shape.length)];
        Tensor result = sumKernel(x, reduce, keepDim);
        divideInPlace(result, count);
        // NOTE: PyTorch 1.13's formula reads self.sizes() through _safe_size, so it saves self: a
        // second backward without retainGraph fails as there.
        return record("MeanBackward1", result, inputs(x), saved(x),
                (g, s, n) -> grads(unsqueezeReduced(g, reduce, keepDim).expand(shape).div(count)));
    }

    // NOTE: PyTorch's CPU mean is sum(x) / n (a division, not a multiply by 1/n, which can differ
    // in the last bit); an empty mean is 0 / 0 = NaN, as in PyTorch.
    private static void divideInPlace(Tensor t, float count) {
        int[] shape = t.layout.shape;
        K.zip(BinaryOp.DIV, shape, t.data, 0, Shapes.contiguousStrides(shape), new float[] {count}, 0,
                new int[shape.length], t.data, 0);
    }

    /** The largest element; the gradient is shared evenly among all elements equal to it. */
    static Tensor max(Tensor x) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException("max(): Expected reduction dim to be specified for"
                    + " input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
        }
        Tensor flat = x.detach().contiguous().reshape(x.numel());
        Tensor result = Ops.empty(new int[0]);
        K.max(flat.layout.shape, flat.data, flat.layout.offset, flat.layout.strides, 0,
                result.data, 0, null, 0);
        return record("MaxBackward1", result, inputs(x), saved(x, result), (g, s, n) -> {
            Tensor value = s[1].detach();
            Tensor mask = Float.isNaN(value.item()) ? s[0].ne(s[0]) : s[0].eq(value);
            // NOTE: PyTorch fills zeros with the shared value (not mask * value), so the
            // non-maximal entries are +0 even when g < 0.
            return grads(Tensor.where(mask, g.div(mask.toFloat().sum()), Tensor.scalar(0f)));
        });
    }

    static Tensor max(Tensor x, int dim, boolean keepDim) {
        Tensor[] valuesAndIndices = maxKernel(x, dim, keepDim, "max");
        Tensor indices = valuesAndIndices[1];
        int[] shape = x.layout.shape.clone();
        int d = Layout.wrapDim(dim, shape.length);
        return record("MaxBackward0", valuesAndIndices[0], inputs(x), saved(indices), (g, s, n) -> grads(
                shape.length == 0 ? g : scatterAlong(g, s[0], shape, d, keepDim)));
    }

    static Tensor argmax(Tensor x, int dim, boolean keepDim) {
        return maxKernel(x, dim, keepDim, "argmax")[1];
    }

    private static Tensor[] maxKernel(Tensor x, int dim, boolean keepDim, String op) {
        int[] shape = x.layout.shape;
        int d = Layout.wrapDim(dim, shape.length);
        if (shape.length == 0) {
            Tensor value = Tensor.scalar(x.item());
            return new Tensor[] {value, Tensor.scalar(0f)};
        }
        if (shape[d] == 0) {
            throw new IllegalArgumentException(op + "(): Expected reduction dim " + d
                    + " to have non-zero size (shape " + Arrays.toString(shape) + ")");
        }
        boolean[] reduce = dimMask(new int[] {d}, shape.length);
        Tensor values = Ops.empty(reducedShape(shape, reduce, keepDim));
        Tensor indices = Ops.empty(values.layout.shape);
        K.max(shape, x.data, x.layout.offset, x.layout.strides, d, values.data, 0, indices.data, 0);
        return new Tensor[] {values, indices};
    }

    /** Gradient of a max along {@code dim}: {@code grad} placed at the arg-max positions, zero elsewhere. */
    private static Tensor scatterAlong(Tensor grad, Tensor indices, int[] shape, int dim, boolean keepDim) {
        int[] positionShape = new int[shape.length];
        Arrays.fill(positionShape, 1);
        positionShape[dim] = shape[dim];
        Tensor positions = Tensor.arange(shape[dim]).reshape(positionShape);
        Tensor index = keepDim ? indices : indices.unsqueeze(dim);
        Tensor g = keepDim ? grad : grad.unsqueeze(dim);
        return Tensor.where(positions.eq(index), g.expand(shape), Tensor.scalar(0f));
    }

    /** 2-norm of all elements; gradient x / ‖x‖, zero where the norm is zero (PyTorch's choice). */
    static Tensor norm(Tensor x) {
        float sumOfSquares = K.sumOfSquares(x.layout.shape, x.data, x.layout.offset, x.layout.strides);
        Tensor result = Tensor.scalar((float) Math.sqrt(sumOfSquares));
        return record("NormBackward1", result, inputs(x), saved(x, result), (g, s, n) -> {
            Tensor zero = Tensor.scalar(0f);
            Tensor scale = Tensor.where(s[1].eq(zero), zero, g.div(s[1]));
            return grads(s[0].mul(scale));
        });
    }

    static boolean[] dimMask(int[] dims, int rank) {
        // A 0-d tensor accepts dim 0 or -1, as in PyTorch; its one slot still catches duplicates.
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int dim : dims) {
            int d = Layout.wrapDim(dim, rank);
            if (seen[d]) {
                throw new IllegalArgumentException("dim " + d + " appears multiple times in the list of dims");
            }
            seen[d] = true;
        }
        return Arrays.copyOf(seen, rank);
    }

    static int[] reducedShape(int[] shape, boolean[] reduce, boolean keepDim) {
        int[] out = new int[shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduce[d]) {
                out[rank++] = shape[d];
            } else if (keepDim) {
                out[rank++] = 1;
            }
        }
        return Arrays.copyOf(out, rank);
    }

    /** Re-inserts reduced dimensions as size 1, so the gradient broadcasts back over them. */
    private static Tensor unsqueezeReduced(Tensor g, boolean[] reduce, boolean keepDim) {
        if (keepDim) {
            return g;
        }
        Tensor out = g;
        for (int d = 0; d < reduce.length; d++) {
            if (reduce[d]) {
                out = out.unsqueeze(d);
            }
        }
        return out;
    }

    // ---- min, variance, standard deviation --------------------------------------------------------

    /** The smallest element; the gradient is shared evenly among all elements equal to it. */
    static Tensor min(Tensor x) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException("min(): Expected reduction dim to be specified for"
                    + " input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
        }
        // NOTE: min x = -max(-x) exactly (negation is exact and NaN stays NaN), so the max kernel
        // serves both; negating also gathers a strided input into contiguous storage.
        Tensor negated = Elementwise.map(UnaryOp.NEG, x);
        Tensor result = Ops.empty(new int[0]);
        K.max(new int[] {negated.numel()}, negated.data, 0, new int[] {1}, 0, result.data, 0, null, 0);
        result.data[0] = -result.data[0];
        return record("MinBackward1", result, inputs(x), saved(x, result),
                (g, s, n) -> grads(shareAmongEqual(g, s[0], s[1].detach())));
    }

    /** g divided evenly among the elements of x equal to the extremum (or NaN, when it is NaN). */
    private static Tensor shareAmongEqual(Tensor g, Tensor x, Tensor extremum) {
        Tensor mask = Float.isNaN(extremum.item()) ? x.ne(x) : x.eq(extremum);
        return Tensor.where(mask, g.div(mask.toFloat().sum()), Tensor.scalar(0f));
    }

    /** Variance along {@code dim}, divided by n - 1 when {@code unbiased} (NaN for n = 1), else by n. */
    static Tensor var(Tensor x, int dim, boolean unbiased, boolean keepDim) {
        int d = Layout.wrapDim(dim, x.dim());
        int divisor = degreesOfFreedom(x, d, unbiased);
        Tensor result = variance(x, d, divisor, keepDim);
        return record("VarBackward0", result, inputs(x), saved(x),
                (g, s, n) -> grads(varianceBackward(g, s[0], d, divisor, keepDim)));
    }

    /** The square root of {@link #var}; its gradient is zero where the result is zero (PyTorch's choice). */
    static Tensor std(Tensor x, int dim, boolean unbiased, boolean keepDim) {
        int d = Layout.wrapDim(dim, x.dim());
        int divisor = degreesOfFreedom(x, d, unbiased);
        Tensor result = Elementwise.map(UnaryOp.SQRT, variance(x, d, divisor, keepDim));
        return record("StdBackward0", result, inputs(x), saved(x, result), (g, s, n) -> {
            Tensor zero = Tensor.scalar(0f);
            Tensor gradVariance = Tensor.where(s[1].eq(zero), zero, g.div(s[1].mul(2f)));
            return grads(varianceBackward(gradVariance, s[0], d, divisor, keepDim));
        });
    }

    // NOTE: PyTorch clamps n - correction at 0, so an empty or single-element unbiased variance
    // divides by zero: NaN forward, and NaN or infinite gradients.
    private static int degreesOfFreedom(Tensor x, int d, boolean unbiased) {
        int n = x.dim() == 0 ? 1 : x.layout.shape[d];
        return Math.max(0, n - (unbiased ? 1 : 0));
    }

    // Two passes in float (the mean, then the centred squares): PyTorch accumulates Welford's
    // recurrence in double, so the two agree to a few ulp, not bit for bit.
    private static Tensor variance(Tensor x, int d, int divisor, boolean keepDim) {
        Tensor values = x.detach();
        Tensor centred = values.sub(values.mean(d, true));
        boolean[] reduce = dimMask(new int[] {d}, x.dim());
        Tensor result = sumKernel(centred.mul(centred), reduce, keepDim);
        divideInPlace(result, divisor);
        return result;
    }

    /** PyTorch's var_backward: (2 / divisor) · g · (x − mean(x)), with g re-expanded along dim. */
    private static Tensor varianceBackward(Tensor g, Tensor x, int d, int divisor, boolean keepDim) {
        if (x.dim() == 0 && divisor == 0) {
            // NOTE: PyTorch 1.13 returns g · ∞ here (its 0-d branch skips the x − mean factor, which
            // would make it NaN as for a size-1 dimension).
            return g.mul(Float.POSITIVE_INFINITY);
        }
        Tensor grad = keepDim || x.dim() == 0 ? g : g.unsqueeze(d);
        return grad.mul((float) (2.0 / divisor)).mul(x.sub(x.mean(d, true)));
    }
}
