package org.vectorgrad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the backward pass. Iterative (deep graphs cannot overflow the stack) and deterministic:
 * a node's inputs are always created before it, so descending creation number is a topological
 * order; nodes run in that order, each once, after every consumer has added its gradient.
 */
final class Engine {
    private static final Comparator<Node> LATEST_FIRST = (x, y) -> Long.compare(y.sequence, x.sequence);

    private Engine() {
    }

    /** {@code Tensor.backward}: accumulates into the {@code .grad} of every reachable leaf. */
    static void backward(Tensor[] outputs, Tensor[] gradOutputs, boolean retainGraph, boolean createGraph) {
        run(outputs, gradOutputs, null, retainGraph, createGraph);
    }

    /** {@code torch.autograd.grad}: returns the gradients flowing into {@code inputs}. */
    static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs,
                         boolean retainGraph, boolean createGraph) {
        Node[] nodes = new Node[inputs.length];
        Map<Node, Integer> slotOf = new IdentityHashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            nodes[i] = inputs[i].edge();
            if (nodes[i] == null) {
                throw new IllegalStateException("One of the differentiated Tensors does not require grad");
            }
            slotOf.putIfAbsent(nodes[i], i);
        }
        Tensor[] bySlot = new Tensor[inputs.length];
        run(outputs, gradOutputs, new Capture(slotOf, bySlot), retainGraph, createGraph);
        Tensor[] grads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            grads[i] = bySlot[slotOf.get(nodes[i])];
            if (grads[i] == null) {
                throw new IllegalStateException("One of the differentiated Tensors appears to not have"
                        + " been used in the graph. Set allow_unused=True if this is the desired behavior.");
            }
        }
        return grads;
    }

    /** Where {@code grad} mode records the gradients of its inputs instead of accumulating. */
    private record Capture(Map<Node, Integer> index, Tensor[] grads) {
    }

    private static void run(Tensor[] outputs, Tensor[] gradOutputs, Capture capture,
                            boolean retainGraph, boolean createGraph) {
        if (gradOutputs != null && gradOutputs.length != outputs.length) {
            throw new IllegalArgumentException("got " + gradOutputs.length + " gradients for "
                    + outputs.length + " outputs");
        }
        Node[] roots = new Node[outputs.length];
        Tensor[] seeds = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            roots[i] = rootNode(outputs[i], i);
            seeds[i] = rootGradient(outputs[i], gradOutputs == null ? null : gradOutputs[i], i);
        }
        List<Node> order = topologicalOrder(roots);
        boolean recycle = capture == null && !createGraph && !AnomalyMode.isEnabled() && onlyBuiltIns(order);
        Pending pending = new Pending(order, createGraph, recycle);
        for (int i = 0; i < roots.length; i++) {
            pending.add(roots[i], seeds[i]);
        }
        Set<Node> runnable = capture == null ? null : runnableTowards(order, capture.index());
        if (recycle) {
            BufferPool.beginPass();
        }
        try (Autograd.Guard ignored = Autograd.setGradEnabled(createGraph)) {
            for (int position = 0; position < order.size(); position++) {
                Node node = order.get(position);
                Tensor grad = pending.remove(position);
                if (grad != null) {
                    visit(node, grad, pending, capture, runnable, createGraph);
                    pending.drop(grad);
                    if (!retainGraph && (runnable == null || runnable.contains(node))) {
                        node.release();
                    }
                }
            }
            if (recycle && !retainGraph) {
                releaseLeases(order);
            }
        } finally {
            if (recycle) {
                BufferPool.endPass();
            }
        }
    }

    // The activations of containers whose nodes this pass freed are dead (ActivationLease).
    private static void releaseLeases(List<Node> order) {
        for (Node node : order) {
            ActivationLease lease = node.lease;
            if (lease != null && lease.releaseIfDead()) {
                node.lease = null;
            }
        }
    }

    /**
     * True when only the library's own derivatives run and no hook sees a gradient: then no code
     * outside the engine can keep a reference to a gradient tensor, and the engine may recycle
     * the buffers of the ones it has consumed.
     */
    private static boolean onlyBuiltIns(List<Node> order) {
        for (Node node : order) {
            if (node.custom || node.hasHooks()) {
                return false;
            }
        }
        return true;
    }

    private static void visit(Node node, Tensor grad, Pending pending, Capture capture,
                              Set<Node> runnable, boolean createGraph) {
        grad = node.runHooks(grad);
        if (capture != null) {
            Integer slot = capture.index().get(node);
            if (slot != null) {
                capture.grads()[slot] = grad;
            }
            if (!runnable.contains(node)) {
                return;
            }
        } else if (node.retainer != null) {
            node.retainer.accumulateGrad(grad, createGraph);
        }
        if (node.leaf != null) {
            if (capture == null) {
                node.leaf.accumulateGrad(grad, createGraph, pending.adopt(grad));
            }
            return;
        }
        Tensor[] grads = apply(node, grad, pending);
        for (int i = 0; i < grads.length; i++) {
            if (node.next[i] != null && grads[i] != null) {
                pending.add(node.next[i], grads[i]);
            }
        }
    }

    // A gradient only the engine holds is donated to the derivative, which may write its result
    // over it (BufferPool.overwriting); the engine drops the gradient right after.
    private static Tensor[] apply(Node node, Tensor grad, Pending pending) {
        if (!pending.exclusive(grad)) {
            return node.apply(grad);
        }
        BufferPool.donate(grad.data);
        try {
            return node.apply(grad);
        } finally {
            BufferPool.donate(null);
        }
    }

    /**
     * The gradients waiting for their node to run. The first gradient to arrive is kept as it is
     * (a derivative may hand the same tensor to several inputs, and the caller or a saved tensor
     * may hold it); the second is added out of place into a fresh buffer that only this map
     * references, and later ones are added into that buffer in place, since nothing can see it
     * before its node runs. Under {@code createGraph} every sum stays out of place: the sums are
     * then nodes of the new graph.
     *
     * <p>Kept in arrays by position in the run order, found by binary search on the nodes'
     * (unique, descending) creation numbers: hash maps cost most of a tiny graph's allocation.
     */
    private static final class Pending {
        private final long[] sequences;
        private final Tensor[] grads;
        private final boolean[] owned;
        private final boolean createGraph;
        private final boolean recycling;
        /** Per recyclable buffer, how many tensors in this map view it (created on first use). */
        private Map<float[], int[]> references;

        Pending(List<Node> order, boolean createGraph, boolean recycling) {
            this.sequences = new long[order.size()];
            for (int i = 0; i < sequences.length; i++) {
                sequences[i] = order.get(i).sequence;
            }
            this.grads = new Tensor[sequences.length];
            this.owned = new boolean[sequences.length];
            this.createGraph = createGraph;
            this.recycling = recycling;
        }

        void add(Node node, Tensor grad) {
            int at = position(node);
            Tensor current = grads[at];
            if (current == null) {
                grads[at] = grad;
                hold(grad);
            } else if (owned[at] && Arrays.equals(current.shape(), Layout.broadcast(current.shape(), grad.shape()))) {
                Elementwise.addInPlace(current, grad);
                drop(grad);
            } else {
                Tensor sum = current.add(grad);
                grads[at] = sum;
                drop(current);
                drop(grad);
                hold(sum);
                owned[at] = !createGraph && sum.edge() == null;
            }
        }

        /** Takes the gradient of the node at {@code position} out; the caller drops it once the node has run. */
        Tensor remove(int position) {
            Tensor grad = grads[position];
            grads[position] = null;
            owned[position] = false;
            return grad;
        }

        // Every node that receives a gradient is in the order (it is reachable from a root).
        private int position(Node node) {
            int low = 0;
            int high = sequences.length - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                long s = sequences[mid];
                if (s == node.sequence) {
                    return mid;
                } else if (s > node.sequence) {
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            throw new IllegalStateException("gradient for a node outside the graph: " + node.name());
        }

        // Only buffers born in this pass are counted: anything older may be held by the caller.
        private void hold(Tensor grad) {
            if (recycling && BufferPool.bornInPass(grad.data)) {
                if (references == null) {
                    references = new IdentityHashMap<>();
                }
                references.computeIfAbsent(grad.data, buffer -> new int[1])[0]++;
            }
        }

        /**
         * True when the engine holds the only reference to {@code grad}'s buffer (the one the caller
         * took out of this map) and it was born in this pass: a leaf may keep it as its {@code .grad}.
         * The buffer then leaves the engine's care and is never recycled.
         */
        boolean adopt(Tensor grad) {
            if (!exclusive(grad)) {
                return false;
            }
            references.remove(grad.data);
            BufferPool.forget(grad.data);
            return true;
        }

        /** True when {@code grad}, taken out of this map, is the only tensor viewing its buffer (born in this pass). */
        boolean exclusive(Tensor grad) {
            int[] count = references == null ? null : references.get(grad.data);
            return count != null && count[0] == 1 && grad.isDenseStorage();
        }

        /** Gives up one reference to {@code grad}'s buffer; the last one returns it to the pool. */
        void drop(Tensor grad) {
            int[] count = references == null ? null : references.get(grad.data);
            if (count != null && --count[0] == 0) {
                references.remove(grad.data);
                BufferPool.release(grad.data);
            }
        }
    }

    private static Node rootNode(Tensor output, int i) {
        Node node = output.edge();
        if (node == null) {
            throw new IllegalStateException("element " + i
                    + " of tensors does not require grad and does not have a grad_fn");
        }
        return node;
    }

    private static Tensor rootGradient(Tensor output, Tensor given, int i) {
        if (given == null) {
            if (output.numel() != 1) {
                throw new IllegalStateException("grad can be implicitly created only for scalar outputs");
            }
            return Tensor.ones(output.layout.shape);
        }
        if (!Arrays.equals(given.shape(), output.shape())) {
            throw new IllegalArgumentException("Mismatch in shape: grad_output[" + i + "] has a shape of "
                    + Tensor.sizeString(given.shape()) + " and output[" + i + "] has a shape of "
                    + Tensor.sizeString(output.shape()) + ".");
        }
        return given;
    }

    /** Every node reachable from the roots, latest-created first. */
    private static List<Node> topologicalOrder(Node[] roots) {
        NodeSet seen = new NodeSet();
        List<Node> nodes = new ArrayList<>(8); // grow as needed; most graphs are small
        ArrayDeque<Node> stack = new ArrayDeque<>(8);
        for (Node root : roots) {
            if (seen.add(root)) {
                stack.push(root);
            }
        }
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            nodes.add(node);
            for (Node input : node.next) {
                if (input != null && seen.add(input)) {
                    stack.push(input);
                }
            }
        }
        nodes.sort(LATEST_FIRST);
        return nodes;
    }

    /** The nodes that must run so that gradient reaches a captured node (others are skipped). */
    private static Set<Node> runnableTowards(List<Node> order, Map<Node, Integer> captures) {
        Set<Node> leadsToCapture = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Node> runnable = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = order.size() - 1; i >= 0; i--) {
            Node node = order.get(i);
            boolean feedsCapture = false;
            for (Node input : node.next) {
                feedsCapture |= input != null && leadsToCapture.contains(input);
            }
            if (feedsCapture) {
                runnable.add(node);
            }
            if (feedsCapture || captures.containsKey(node)) {
                leadsToCapture.add(node);
            }
        }
        return runnable;
    }
}
