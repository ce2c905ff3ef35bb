package org.vectorgrad.nn;

import java.util.Arrays;
import java.util.List;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;

/**
 * Parameters and their gradients as one flat {@code float[]}, concatenated in list order (each
 * tensor row-major), like PyTorch's {@code torch.nn.utils.parameters_to_vector}. This is what a
 * data-parallel trainer exchanges between workers: one array per step, summed across workers,
 * then written back as every parameter's {@code .grad} before the optimizer step.
 */
public final class ParameterVectors {
    private ParameterVectors() {
    }

    /** The total element count of {@code params}: the length of the arrays this class reads and writes. */
    public static int numel(List<Tensor> params) {
        long total = 0;
        for (Tensor p : params) {
            total += p.numel();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("parameters hold " + total + " elements, more than a Java array");
        }
        return (int) total;
    }

    /** {@code parameters_to_vector(params)}: the parameters' values, concatenated. */
    public static float[] parametersToArray(List<Tensor> params) {
        float[] flat = new float[numel(params)];
        int at = 0;
        for (Tensor p : params) {
            float[] values = p.toArray();
            System.arraycopy(values, 0, flat, at, values.length);
            at += values.length;
        }
        return flat;
    }

    /**
     * {@code vector_to_parameters(flat, params)}: every tensor's values become its slice of
     * {@code flat} (from index 0), in place and outside the graph; {@code flat} may be longer.
     * Works for any tensors, e.g. buffers such as BatchNorm's running statistics.
     */
    public static void arrayToParameters(float[] flat, List<Tensor> params) {
        checkRoom("arrayToParameters", params, flat);
        Tensor all = Ops.wrap(flat, flat.length);
        int at = 0;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            for (Tensor p : params) {
                p.detach().copyFrom(all.narrow(0, at, p.numel()).view(p.shape()));
                at += p.numel();
            }
        }
    }

    /**
     * The gradients, concatenated, each multiplied by {@code scale} (1 for a plain copy; a worker's
     * share of a global batch otherwise), into {@code flat} from index 0. A parameter without a
     * gradient contributes zeros, as it would to a sum of gradients. {@code flat} may be longer
     * than {@link #numel} (room for extra values, e.g. the loss, after the gradients).
     */
    public static void gradientsToArray(List<Tensor> params, float scale, float[] flat) {
        checkRoom("gradientsToArray", params, flat);
        int at = 0;
        for (Tensor p : params) {
            int n = p.numel();
            Tensor grad = p.grad();
            if (grad == null) {
                Arrays.fill(flat, at, at + n, 0f);
            } else {
                // Read in place when contiguous (a gradient nearly always is): no copy per step.
                float[] values = grad.isContiguous() ? Ops.data(grad) : grad.toArray();
                int from = grad.isContiguous() ? Ops.offset(grad) : 0;
                for (int i = 0; i < n; i++) {
                    flat[at + i] = values[from + i] * scale;
                }
            }
            at += n;
        }
    }

    /**
     * Sets every parameter's {@code .grad} to its slice of {@code flat} (from index 0), replacing
     * whatever gradient it had; the gradients own their storage (later changes to {@code flat}
     * do not reach them).
     */
    public static void gradientsFromArray(float[] flat, List<Tensor> params) {
        checkRoom("gradientsFromArray", params, flat);
        // One view of the caller's array: each parameter's slice is copied once, into its .grad.
        Tensor all = Ops.wrap(flat, flat.length);
        int at = 0;
        for (Tensor p : params) {
            Tensor slice = all.narrow(0, at, p.numel()).view(p.shape());
            Tensor grad = p.grad();
            if (grad != null && grad.gradFn() == null && !grad.requiresGrad()) {
                try (Autograd.Guard ignored = Autograd.noGrad()) {
                    grad.copyFrom(slice);
                }
            } else {
                // A leaf's backward(g) accumulates g into its .grad, as in PyTorch: from none, it is g.
                p.zeroGrad();
                p.backward(slice);
            }
            at += p.numel();
        }
    }

    private static void checkRoom(String method, List<Tensor> params, float[] flat) {
        int needed = numel(params);
        if (flat.length < needed) {
            throw new IllegalArgumentException(method + ": the parameters hold " + needed
                    + " elements but the array has " + flat.length);
        }
    }
}
