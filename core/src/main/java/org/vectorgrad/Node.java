package org.vectorgrad;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

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
    private final Derivative derivative;
    private Tensor[] saved;
    /** The leaf whose {@code .grad} this node accumulates into; null for operation nodes. */
    final Tensor leaf;
    /** The non-leaf output that asked to keep its gradient ({@code retain_grad}); may be null. */
    Tensor retainer;

    private Node(String name, Node[] next, Tensor[] saved, Derivative derivative, Tensor leaf) {
        this.name = name;
        this.next = next;
        this.saved = saved;
        this.derivative = derivative;
        this.leaf = leaf;
    }

    static Node operation(String name, Node[] next, Tensor[] saved, Derivative derivative) {
        return new Node(name, next, saved.length == 0 ? NOTHING_SAVED : saved, derivative, null);
    }

    static Node accumulator(Tensor leaf) {
        return new Node("torch::autograd::AccumulateGrad", new Node[0], NOTHING_SAVED, null, leaf);
    }

    /** Gradients of this operation's inputs; fails once the saved tensors were released. */
    Tensor[] apply(Tensor grad) {
        if (saved == null) {
            throw new IllegalStateException(SECOND_BACKWARD);
        }
        boolean[] needsGrad = new boolean[next.length];
        for (int i = 0; i < next.length; i++) {
            needsGrad[i] = next[i] != null;
        }
        Tensor[] grads = derivative.apply(grad, saved, needsGrad);
        if (grads.length != next.length) {
            throw new IllegalStateException(name + " returned " + grads.length + " gradients for "
                    + next.length + " inputs");
        }
        return grads;
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
