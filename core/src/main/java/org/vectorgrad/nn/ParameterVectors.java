package org.vectorgrad.nn;

import static org.vectorgrad.nn.Ops.K;

import java.util.Arrays;
import java.util.List;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;
import org.vectorgrad.simd.BinaryOp;

/**
 * Parameters and their gradients as one flat {@code float[]}, concatenated in list order (each
 * tensor row-major), like PyTorch's {@code torch.nn.utils.parameters_to_vector}. This is what a
 * data-parallel trainer exchanges between workers: one array per step, summed across workers,
 * then written back as every parameter's {@code .grad} before the optimizer step.
 */
public final class ParameterVectors {
    private static final int[] UNIT = {1};
    private static final int[] BROADCAST = {0};
    private static final float[] ZERO = {0f};

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
            copySlice(p.grad(), 0, n, flat, at);
            for (int i = 0; scale != 1f && i < n; i++) {
                flat[at + i] *= scale;
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

    /**
     * The sum of several replicas' gradients over the flat range {@code [from, to)} of the
     * {@link #gradientsToArray} order of {@code params}, added replica by replica in list order,
     * written to {@code dst} from {@code dstOffset}: the same floats as adding the replicas'
     * gradient vectors in that order, without building them. {@code replicas.get(r).get(i)} is
     * replica r's gradient of {@code params.get(i)} (of its shape; null counts as zeros). This is
     * a data-parallel all-reduce's work for replicas that share one JVM: the gradients are
     * summed where they lie.
     */
    public static void sumGradients(List<Tensor> params, List<List<Tensor>> replicas, int from, int to, float[] dst,
                                    int dstOffset) {
        checkReplicas(params, replicas);
        int total = numel(params);
        if (from < 0 || to < from || to > total || dstOffset < 0 || dstOffset + (to - from) > dst.length) {
            throw new IllegalArgumentException("sumGradients: range [" + from + ", " + to + ") of " + total
                    + " gradient elements into an array of " + dst.length + " from " + dstOffset);
        }
        int start = 0;
        for (int i = 0; i < params.size() && start < to; i++) {
            int end = start + params.get(i).numel();
            int lo = Math.max(from, start);
            int hi = Math.min(to, end);
            if (lo < hi) {
                sumSlice(replicas, i, lo - start, hi - lo, dst, dstOffset + lo - from);
            }
            start = end;
        }
    }

    // dst = g_0 + g_1, then += g_2, ... over elements [at, at + n) of parameter i. The first two
    // in one pass: a third less memory traffic than copying g_0 and adding g_1 (an exchange of two
    // workers sums 0.9 MB of MLP gradients a step, memory-bound), and the same floats.
    private static void sumSlice(List<List<Tensor>> replicas, int i, int at, int n, float[] dst, int dstAt) {
        if (replicas.size() == 1) {
            copySlice(replicas.get(0).get(i), at, n, dst, dstAt);
            return;
        }
        Elements first = Elements.of(replicas.get(0).get(i), at);
        Elements second = Elements.of(replicas.get(1).get(i), at);
        K.zip(BinaryOp.ADD, new int[] {n}, first.data(), first.offset(), first.strides(), second.data(),
                second.offset(), second.strides(), dst, dstAt);
        for (int r = 2; r < replicas.size(); r++) {
            Elements next = Elements.of(replicas.get(r).get(i), at);
            K.zip(BinaryOp.ADD, new int[] {n}, dst, dstAt, UNIT, next.data(), next.offset(), next.strides(), dst,
                    dstAt);
        }
    }

    // dst[dstAt + k] = grad's element at + k (zeros for no gradient).
    private static void copySlice(Tensor grad, int at, int n, float[] dst, int dstAt) {
        if (grad == null) {
            Arrays.fill(dst, dstAt, dstAt + n, 0f);
        } else {
            Elements g = Elements.of(grad, at);
            System.arraycopy(g.data(), g.offset(), dst, dstAt, n);
        }
    }

    /**
     * A gradient's elements from {@code at} in row-major order: read in place when contiguous, as
     * a gradient nearly always is. No gradient reads as a broadcast zero, whose addition still
     * turns a -0.0 into 0.0: the floats of a sum of vectors.
     */
    private record Elements(float[] data, int offset, int[] strides) {
        static Elements of(Tensor grad, int at) {
            if (grad == null) {
                return new Elements(ZERO, 0, BROADCAST);
            }
            return grad.isContiguous() ? new Elements(Ops.data(grad), Ops.offset(grad) + at, UNIT)
                    : new Elements(grad.toArray(), at, UNIT);
        }
    }

    private static void checkReplicas(List<Tensor> params, List<List<Tensor>> replicas) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("sumGradients: no replicas to sum");
        }
        for (int r = 0; r < replicas.size(); r++) {
            List<Tensor> grads = replicas.get(r);
            if (grads.size() != params.size()) {
                throw new IllegalArgumentException("sumGradients: replica " + r + " has " + grads.size()
                        + " gradients for " + params.size() + " parameters");
            }
            for (int i = 0; i < grads.size(); i++) {
                Tensor grad = grads.get(i);
                if (grad != null && !Arrays.equals(grad.shape(), params.get(i).shape())) {
                    throw new IllegalArgumentException("sumGradients: replica " + r + "'s gradient " + i + " has shape "
                            + Arrays.toString(grad.shape()) + ", its parameter " + Arrays.toString(params.get(i).shape()));
                }
            }
        }
    }

    /**
     * Sets every parameter's {@code .grad} to a view of its slice of {@code flat} (from index 0),
     * sharing {@code flat}'s storage: nothing is copied, and later changes to {@code flat} show in
     * the gradients. For gradients that are only read (an optimizer step) until the next
     * {@code zeroGrad}: a backward before that would accumulate into {@code flat}.
     */
    public static void gradientsAsViews(float[] flat, List<Tensor> params) {
        checkRoom("gradientsAsViews", params, flat);
        Tensor all = Ops.wrap(flat, flat.length);
        int at = 0;
        for (Tensor p : params) {
            p.setGrad(all.narrow(0, at, p.numel()).view(p.shape()));
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
