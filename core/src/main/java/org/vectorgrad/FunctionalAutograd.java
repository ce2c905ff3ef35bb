package org.vectorgrad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code torch.autograd.functional} for one input tensor, with PyTorch's defaults
 * ({@code create_graph=False, strict=False}): gradients an output does not depend on are zeros,
 * results are detached, and {@code x} itself is never modified nor made to require grad (the
 * function sees a detached copy of it that requires grad). The function always runs in grad mode,
 * as PyTorch runs it under {@code enable_grad()}.
 */
final class FunctionalAutograd {
    private static final String UNUSED = "One of the differentiated Tensors appears to not have been used";

    private FunctionalAutograd() {
    }

    /** {@code jacobian(fn, x)}: shape {@code out.shape + x.shape}, one reverse pass per output element. */
    static Tensor jacobian(UnaryOperator<Tensor> fn, Tensor x) {
        try (Autograd.Guard ignored = Autograd.enableGrad()) {
            Tensor input = x.detach().requiresGrad(true);
            Tensor out = apply(fn, input, "jacobian");
            return rowsOf(out, input, false).detach();
        }
    }

    /** {@code hessian(fn, x)} of a one-element {@code fn}: the Jacobian of its gradient, shape {@code x.shape + x.shape}. */
    static Tensor hessian(UnaryOperator<Tensor> fn, Tensor x) {
        try (Autograd.Guard ignored = Autograd.enableGrad()) {
            Tensor input = x.detach().requiresGrad(true);
            Tensor out = apply(fn, input, "hessian");
            if (out.numel() != 1) {
                throw new IllegalArgumentException("The Tensor returned by the function given to hessian should"
                        + " contain a single element (got shape " + Arrays.toString(out.shape()) + ")");
            }
            // PyTorch: jacobian(jacobian(squeezed fn, create_graph=True)); the inner one is a plain gradient.
            Tensor gradient = rowsOf(out.reshape(), input, true).reshape(input.shape());
            return rowsOf(gradient, input, false).detach();
        }
    }

    /** {@code vjp(fn, x, v)}: {output, vᵀ·J}; {@code v} may be null only for a one-element output. */
    static Tensor[] vjp(UnaryOperator<Tensor> fn, Tensor x, Tensor v) {
        try (Autograd.Guard ignored = Autograd.enableGrad()) {
            Tensor input = x.detach().requiresGrad(true);
            Tensor out = apply(fn, input, "vjp");
            if (v == null && out.numel() != 1) {
                throw new IllegalArgumentException("The vector v can only be None if the user-provided function"
                        + " returns a single Tensor with a single element.");
            }
            if (v != null) {
                checkSize(v, out);
            }
            Tensor seed = v == null ? Tensor.ones(out.shape()) : v.detach();
            Tensor product = gradOrNull(out, input, seed, false, false);
            return new Tensor[] {out.detach(), product == null ? Tensor.zeros(input.shape()) : product.detach()};
        }
    }

    /**
     * {@code jvp(fn, x, v)}: {output, J·v}, by PyTorch's double-backward trick: {@code g ↦ gᵀ·J} is
     * linear in {@code g}, so differentiating it at {@code g = 0} along {@code v} gives {@code J·v}.
     */
    static Tensor[] jvp(UnaryOperator<Tensor> fn, Tensor x, Tensor v) {
        try (Autograd.Guard ignored = Autograd.enableGrad()) {
            Tensor input = x.detach().requiresGrad(true);
            Tensor out = apply(fn, input, "jvp");
            if (v == null && input.numel() != 1) {
                throw new IllegalArgumentException("The vector v can only be None if the input to the user-provided"
                        + " function is a single Tensor with a single element.");
            }
            if (v != null) {
                checkSize(v, input);
            }
            Tensor seed = v == null ? Tensor.ones(input.shape()) : v.detach();
            Tensor gradOut = Tensor.zeros(out.shape()).requiresGrad(true);
            Tensor gradIn = gradOrNull(out, input, gradOut, true, true);
            Tensor product = gradIn == null ? null : gradOrNull(gradIn, gradOut, seed, false, false);
            return new Tensor[] {out.detach(), product == null ? Tensor.zeros(out.shape()) : product.detach()};
        }
    }

    private static Tensor apply(UnaryOperator<Tensor> fn, Tensor input, String caller) {
        Tensor out = fn.apply(input);
        if (out == null) {
            throw new IllegalArgumentException("The function given to " + caller + " should return a Tensor, got null");
        }
        return out;
    }

    /** PyTorch's _validate_v for a single tensor: {@code v} must have exactly {@code other}'s shape. */
    private static void checkSize(Tensor v, Tensor other) {
        if (!Arrays.equals(v.shape(), other.shape())) {
            throw new IllegalArgumentException("v has invalid size: should be " + size(other.shape())
                    + " but got " + size(v.shape()) + ".");
        }
    }

    private static String size(int[] shape) {
        return "torch.Size(" + Arrays.toString(shape) + ")";
    }

    /**
     * The Jacobian of {@code out} with respect to {@code input}: row j is the gradient of
     * {@code out.reshape(-1)[j]} (zeros where it does not depend on the input), rows stacked and
     * viewed as {@code out.shape + input.shape}, as PyTorch's reverse-mode loop does.
     */
    private static Tensor rowsOf(Tensor out, Tensor input, boolean createGraph) {
        int[] shape = concat(out.shape(), input.shape());
        if (out.numel() == 0) {
            return Tensor.zeros(shape);
        }
        Tensor flat = out.reshape(-1);
        List<Tensor> rows = new ArrayList<>(out.numel());
        for (int j = 0; j < out.numel(); j++) {
            Tensor row = gradOrNull(flat.select(0, j), input, null, true, createGraph);
            rows.add(row == null ? Tensor.zeros(input.numel()) : row.reshape(-1));
        }
        return Tensor.stack(rows, 0).reshape(shape);
    }

    /**
     * {@code autograd.grad(output, input, seed, allow_unused=True)} as PyTorch's _autograd_grad:
     * null when the output has no graph or the input is not reached.
     */
    private static Tensor gradOrNull(Tensor output, Tensor input, Tensor seed, boolean retainGraph,
                                     boolean createGraph) {
        if (!output.requiresGrad()) {
            return null;
        }
        try {
            return Autograd.grad(new Tensor[] {output}, new Tensor[] {input}, new Tensor[] {seed},
                    retainGraph, createGraph)[0];
        } catch (IllegalStateException e) {
            // Engine.grad has no allow_unused flag; its "not used in the graph" refusal is PyTorch's None.
            if (e.getMessage() != null && e.getMessage().startsWith(UNUSED)) {
                return null;
            }
            throw e;
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
