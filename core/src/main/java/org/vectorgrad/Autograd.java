package org.vectorgrad;

import java.util.function.UnaryOperator;

/**
 * Grad mode and the functional gradient API ({@code torch.autograd}). Grad mode is per thread,
 * so many threads can train independent models (or evaluate under {@link #noGrad()}) at once.
 */
public final class Autograd {
    private static final ThreadLocal<boolean[]> GRAD_ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private Autograd() {
    }

    /** A grad-mode (or anomaly-mode) scope: closing it restores the mode in force when it was opened. */
    public static final class Guard implements AutoCloseable {
        private final Runnable restore;
        private boolean closed;

        private Guard(Runnable restore) {
            this.restore = restore;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                restore.run();
            }
        }
    }

    /** Within the returned scope no graph is recorded on this thread ({@code torch.no_grad()}). */
    public static Guard noGrad() {
        return setGradEnabled(false);
    }

    /** Within the returned scope graphs are recorded on this thread ({@code torch.enable_grad()}). */
    public static Guard enableGrad() {
        return setGradEnabled(true);
    }

    static Guard setGradEnabled(boolean enabled) {
        boolean[] mode = GRAD_ENABLED.get();
        boolean previous = mode[0];
        mode[0] = enabled;
        return new Guard(() -> mode[0] = previous);
    }

    /** Whether operations on this thread record a graph ({@code torch.is_grad_enabled()}). */
    public static boolean isGradEnabled() {
        return GRAD_ENABLED.get()[0];
    }

    /**
     * Gradients of {@code outputs} with respect to {@code inputs}, without touching any
     * {@code .grad} ({@code torch.autograd.grad}).
     *
     * @param gradOutputs one gradient per output, or null (or null entries) for one-element outputs
     * @param retainGraph keep saved tensors so the graph can be differentiated again
     * @param createGraph record the backward pass, so the result can be differentiated again
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs,
                                boolean retainGraph, boolean createGraph) {
        return Engine.grad(outputs, inputs, gradOutputs, retainGraph, createGraph);
    }

    /**
     * Records {@code result} as the output of a custom operation ({@code torch.autograd.Function}):
     * backward calls {@code derivative} with the {@code saved} tensors. {@code result} must have
     * been computed without history (under {@link #noGrad()} or from detached inputs). Returns
     * {@code result}, now with a {@code gradFn} named {@code name} when grad mode is on and an
     * input requires grad.
     */
    public static Tensor attach(String name, Tensor result, Tensor[] inputs, Tensor[] saved,
                                Derivative derivative) {
        if (result.gradFn() != null || (result.isLeaf() && result.requiresGrad())) {
            throw new IllegalArgumentException("attach(" + name + "): the result already has autograd"
                    + " history or requires grad; compute it under Autograd.noGrad()");
        }
        Tensor recorded = Ops.record(name, result, inputs, saved, derivative);
        if (recorded.gradFn() instanceof Node node) {
            node.custom = true;
        }
        return recorded;
    }

    /** {@code torch.autograd.functional.jacobian(fn, x)}: shape {@code fn(x).shape + x.shape}, detached. */
    public static Tensor jacobian(UnaryOperator<Tensor> fn, Tensor x) {
        return FunctionalAutograd.jacobian(fn, x);
    }

    /** {@code torch.autograd.functional.hessian(fn, x)} of a one-element {@code fn}: shape {@code x.shape + x.shape}. */
    public static Tensor hessian(UnaryOperator<Tensor> fn, Tensor x) {
        return FunctionalAutograd.hessian(fn, x);
    }

    /** {@code torch.autograd.functional.vjp(fn, x, v)}: {@code {fn(x), vᵀ·J}}, detached. */
    public static Tensor[] vjp(UnaryOperator<Tensor> fn, Tensor x, Tensor v) {
        return FunctionalAutograd.vjp(fn, x, v);
    }

    /** {@code torch.autograd.functional.jvp(fn, x, v)}: {@code {fn(x), J·v}}, detached. */
    public static Tensor[] jvp(UnaryOperator<Tensor> fn, Tensor x, Tensor v) {
        return FunctionalAutograd.jvp(fn, x, v);
    }

    /**
     * Within the returned scope (this thread; scopes nest) autograd checks itself, as PyTorch's
     * {@code torch.autograd.detect_anomaly()}: each node recorded remembers the forward stack
     * trace that created it, and in backward a node whose backward returns NaN fails with
     * {@code IllegalStateException("Function 'LogBackward0' returned nan values in its 0th
     * output.")} whose cause is that forward trace ("Error detected in LogBackward0. Traceback of
     * forward call that caused the error:"); other errors raised by a node's backward get the
     * trace as a suppressed exception. Only NaN is checked, not infinity, as in PyTorch. Slow;
     * for debugging. Costs nothing measurable while no scope is open.
     */
    public static Guard detectAnomaly() {
        return new Guard(AnomalyMode.enable());
    }
}
