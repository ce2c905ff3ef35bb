package org.vectorgrad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * One recorded operation in the autograd graph, or the gradient accumulator of a leaf. Nodes are
 * numbered in creation order; the engine runs later nodes first, as PyTorch does.
 */
final class Node implements GradFn {
    static final String SECOND_BACKWARD = "Trying to backward through the graph a second time (or"
            + " directly access saved tensors after they have already been freed). Saved intermediate"
            + " values of the graph are freed when you call .backward() or autograd.grad(). Specify"
            + " retain_graph=True if you need to backward through the graph a second time or if you"
            + " need to access saved tensors after calling backward.";
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Tensor[] NOTHING_SAVED = new Tensor[0];

    private final String name;
    final long sequence = SEQUENCE.getAndIncrement();
    final Node[] next;
    /**
     * The shape of each input at record time (the input's own immutable shape array, not a copy):
     * the engine sums each gradient this node returns down to it, so that op backwards may return
     * broadcast gradients (PyTorch's input metadata).
     */
    private final int[][] inputShapes;
    private final Derivative derivative;
    private Tensor[] saved;
    /** The version of each saved tensor when it was saved (unused where saved[i] is null); null: all 0. */
    private final int[] savedVersions;
    /** Made by {@link Autograd#attach}: its derivative is the caller's code, which may keep tensors. */
    volatile boolean custom;

    /** Tensor hooks of the output (or of the leaf, for an accumulator), in registration order; null if none. */
    private volatile List<UnaryOperator<Tensor>> hooks;
    /** Where this node was recorded, when anomaly mode was on; null otherwise. */
    final Throwable forwardTrace;
    /** The leaf whose {@code .grad} this node accumulates into; null for operation nodes. */
    final Tensor leaf;
    /** The non-leaf output that asked to keep its gradient ({@code retain_grad}); may be null. */
    Tensor retainer;
    /** The activations a container kept to itself, recycled once a backward pass freed its nodes; may be null. */
    ActivationLease lease;

    private Node(String name, Node[] next, int[][] inputShapes, Tensor[] saved, Derivative derivative,
                 Tensor leaf) {
        this.name = name;
        this.next = next;
        this.inputShapes = inputShapes;
        this.saved = saved;
        this.savedVersions = versionsOf(saved);
        this.derivative = derivative;
        this.leaf = leaf;
        this.forwardTrace = AnomalyMode.forwardTrace(name);
    }

    /** Null when every saved tensor is at version 0 (the common case: no array to allocate). */
    private static int[] versionsOf(Tensor[] saved) {
        int[] versions = null;
        for (int i = 0; i < saved.length; i++) {
            int version = saved[i] == null ? 0 : saved[i].version();
            if (version != 0) {
                versions = versions == null ? new int[saved.length] : versions;
                versions[i] = version;
            }
        }
        return versions;
    }

    /** The sequence number the next node will get. */
    static long nextSequence() {
        return SEQUENCE.get();
    }

    static Node operation(String name, Node[] next, int[][] inputShapes, Tensor[] saved, Derivative derivative) {
        return new Node(name, next, inputShapes, saved.length == 0 ? NOTHING_SAVED : saved, derivative, null);
    }

    static Node accumulator(Tensor leaf) {
        return new Node("torch::autograd::AccumulateGrad", new Node[0], new int[0][], NOTHING_SAVED, null, leaf);
    }

    /**
     * Gradients of this operation's inputs, each with its input's shape; fails once the saved
     * tensors were released.
     */
    Tensor[] apply(Tensor grad) {
        if (!AnomalyMode.isEnabled()) {
            return applyDerivative(grad);
        }
        Tensor[] grads;
        try {
            grads = applyDerivative(grad);
        } catch (RuntimeException e) {
            AnomalyMode.attachTrace(e, forwardTrace);
            throw e;
        }
        AnomalyMode.checkForNan(name, grads, forwardTrace);
        return grads;
    }

    private Tensor[] applyDerivative(Tensor grad) {
        if (saved == null) {
            throw new IllegalStateException(SECOND_BACKWARD);
        }
        checkSavedVersions();
        Tensor[] grads = derivative.apply(grad, saved, needsGrad());
        if (grads.length != next.length) {
            throw new IllegalStateException(name + " returned " + grads.length + " gradients for "
                    + next.length + " inputs");
        }
        for (int i = 0; i < grads.length; i++) {
            if (next[i] != null && grads[i] != null && !Arrays.equals(grads[i].layout.shape, inputShapes[i])) {
                grads[i] = sumToInputShape(i, grads[i]);
            }
        }
        return grads;
    }

    /**
     * Which inputs want a gradient. The library's derivatives only read the array, so for the
     * common one- and two-input nodes they share a constant one (a tiny graph's backward
     * allocates little); a caller's derivative ({@link Autograd#attach}) gets its own.
     */
    private boolean[] needsGrad() {
        if (!custom && next.length <= 2) {
            int index = 0;
            for (Node input : next) {
                index = 2 * index + (input != null ? 2 : 1);
            }
            return SHARED_NEEDS_GRAD[index];
        }
        boolean[] needsGrad = new boolean[next.length];
        for (int i = 0; i < next.length; i++) {
            needsGrad[i] = next[i] != null;
        }
        return needsGrad;
    }

    /** Indexed by the inputs read as binary digits (1: no grad, 2: grad), most significant first. */
    private static final boolean[][] SHARED_NEEDS_GRAD = {
        {}, {false}, {true}, {false, false}, {false, true}, {true, false}, {true, true},
    };

    /**
     * Undoes broadcasting, the one place that does (PyTorch's validate_outputs): a gradient of a
     * broadcast input comes back with the output's shape and is summed down to the input's. Under
     * createGraph the sum is recorded, so higher-order gradients see it.
     */
    private Tensor sumToInputShape(int i, Tensor grad) {
        int[] shape = inputShapes[i];
        if (!Layout.isExpandableTo(shape, grad.layout.shape)) {
            throw new IllegalStateException("Function " + name + " returned an invalid gradient at index " + i
                    + " - got " + Arrays.toString(grad.layout.shape) + " but expected shape compatible with "
                    + Arrays.toString(shape));
        }
        return Elementwise.sumToShape(grad, shape);
    }

    /** PyTorch's SavedVariable::unpack check: a saved tensor written in place since it was saved. */
    private void checkSavedVersions() {
        for (int i = 0; i < saved.length; i++) {
            int expected = savedVersions == null ? 0 : savedVersions[i];
            if (saved[i] != null && saved[i].version() != expected) {
                throw new IllegalStateException(modifiedMessage(saved[i], expected));
            }
        }
    }

    private static String modifiedMessage(Tensor t, int expected) {
        String type = t.dtype == DType.BOOL ? "torch.BoolTensor" : "torch.FloatTensor";
        String producer = t.gradFn() == null ? "" : ", which is output 0 of " + t.gradFn().name() + ",";
        String hint = AnomalyMode.isEnabled()
                ? "Hint: the backtrace further above shows the operation that failed to compute its gradient."
                        + " The variable in question was changed in there or anywhere later. Good luck!"
                : "Hint: enable anomaly detection to find the operation that failed to compute its gradient,"
                        + " with torch.autograd.set_detect_anomaly(True).";
        return "one of the variables needed for gradient computation has been modified by an inplace operation: ["
                + type + " " + Arrays.toString(t.layout.shape) + "]" + producer + " is at version "
                + t.version() + "; expected version " + expected + " instead. " + hint;
    }

    /** Registers a tensor hook ({@link Tensor#registerHook}); concurrent backward passes see a consistent list. */
    synchronized RemovableHandle addHook(UnaryOperator<Tensor> hook) {
        if (hooks == null) {
            hooks = new CopyOnWriteArrayList<>();
        }
        List<UnaryOperator<Tensor>> list = hooks;
        // A distinct object per registration (identity equality): a hook registered twice is removed once per handle.
        UnaryOperator<Tensor> registered = new Registration(hook);
        list.add(registered);
        return () -> list.remove(registered);
    }

    private record Registration(UnaryOperator<Tensor> hook) implements UnaryOperator<Tensor> {
        @Override
        public Tensor apply(Tensor grad) {
            return hook.apply(grad);
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    boolean hasHooks() {
        List<UnaryOperator<Tensor>> list = hooks;
        return list != null && !list.isEmpty();
    }

    /** The gradient after this node's tensor hooks, in registration order (a null result keeps it). */
    Tensor runHooks(Tensor grad) {
        List<UnaryOperator<Tensor>> list = hooks;
        if (list == null) {
            return grad;
        }
        for (UnaryOperator<Tensor> hook : list) {
            Tensor replaced = hook.apply(grad);
            if (replaced != null) {
                if (!Arrays.equals(replaced.layout.shape, grad.layout.shape)) {
                    throw new IllegalStateException("hook has changed the size of value: the gradient of shape "
                            + Tensor.sizeString(grad.layout.shape) + " was replaced by one of shape "
                            + Tensor.sizeString(replaced.layout.shape));
                }
                grad = replaced;
            }
        }
        return grad;
    }

    /** True while this node keeps saved tensors (it saved some, and no backward pass freed them). */
    boolean holdsSaved() {
        return saved != null && saved.length > 0;
    }

    /** True once a backward pass freed this node's saved tensors. */
    boolean isReleased() {
        return saved == null;
    }

    /** Frees the saved tensors (nodes that saved none stay runnable, as in PyTorch). */
    void release() {
        if (saved != null && saved.length > 0) {
            saved = null;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<GradFn> nextFunctions() {
        List<GradFn> functions = new ArrayList<>(next.length);
        Collections.addAll(functions, next);
        return Collections.unmodifiableList(functions);
    }

    /** PyTorch's repr, e.g. {@code <MulBackward0 object at 0x7f3a...>}. */
    @Override
    public String toString() {
        String shortName = leaf != null ? "AccumulateGrad" : name;
        return "<" + shortName + " object at 0x" + Integer.toHexString(System.identityHashCode(this)) + ">";
    }
}
