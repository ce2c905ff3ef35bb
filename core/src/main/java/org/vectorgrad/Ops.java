package org.vectorgrad;

import org.vectorgrad.simd.KernelProvider;
import org.vectorgrad.simd.Kernels;

/** Shared plumbing of the op families: the kernels, and recording a result into the graph. */
final class Ops {
    static final Kernels K = KernelProvider.kernels();
    static final Tensor[] NONE = new Tensor[0];

    private Ops() {
    }

    /** Attaches a backward node to a freshly computed result when grad mode is on and an input needs it. */
    static Tensor record(String name, Tensor result, Tensor[] inputs, Tensor[] saved, Derivative derivative) {
        if (!Autograd.isGradEnabled()) {
            return result;
        }
        Node[] next = new Node[inputs.length];
        boolean any = false;
        for (int i = 0; i < inputs.length; i++) {
            next[i] = inputs[i].edge();
            any |= next[i] != null;
        }
        if (any) {
            int[][] shapes = new int[inputs.length][];
            for (int i = 0; i < inputs.length; i++) {
                shapes[i] = inputs[i].layout.shape; // shared: a Layout's shape is never mutated
            }
            result.setGradFn(Node.operation(name, next, shapes, saved, derivative));
        }
        return result;
    }

    /**
     * Whether {@link #record} would record an op on {@code x}. The busiest ops test it first and
     * skip building the node's arrays and closure when not: a backward pass runs its formulas
     * without grad, and a tiny graph's cost is mostly allocation (fresh memory costs page faults).
     */
    static boolean recording(Tensor x) {
        return Autograd.isGradEnabled() && x.requiresGrad();
    }

    static boolean recording(Tensor a, Tensor b) {
        return Autograd.isGradEnabled() && (a.requiresGrad() || b.requiresGrad());
    }

    static Tensor[] inputs(Tensor... tensors) {
        return tensors;
    }

    /**
     * The tensors a node keeps for its backward. As PyTorch's generated code does, an op saves a
     * tensor only when the formula of an input that needs grad reads it (pass null otherwise); a
     * node that saved nothing stays runnable after a backward without retainGraph.
     */
    static Tensor[] saved(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                return tensors;
            }
        }
        return NONE;
    }

    static Tensor[] grads(Tensor... grads) {
        return grads;
    }

    /** A new contiguous float tensor of the given shape, uninitialised (zeros). */
    static Tensor empty(int[] shape) {
        return Tensor.wrap(BufferPool.zeroed(org.vectorgrad.simd.Shapes.numel(shape)), shape);
    }

    /** A new contiguous float tensor whose values are undefined: for a result its kernel writes in full. */
    static Tensor forOverwrite(int[] shape) {
        return Tensor.wrap(BufferPool.forOverwrite(org.vectorgrad.simd.Shapes.numel(shape)), shape);
    }
}
