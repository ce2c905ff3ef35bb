package org.vectorgrad.internal;

import org.vectorgrad.Derivative;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Module;

/**
 * What the op families outside package {@code org.vectorgrad} (the nn primitives) need of a
 * tensor's internals: its storage and layout, and recording a node. {@code org.vectorgrad}
 * implements it and installs it in {@link SharedSecrets}, the JDK's pattern for sharing
 * internals between packages without public methods on {@link Tensor}.
 *
 * <p>Not API: this package is not exported. The arrays returned are the tensor's own (never
 * copied) and must not be modified, except the storage of a result the caller has just created.
 */
public interface TensorInternals {
    /** {@code t.grad()} for an optimizer's step, which must keep no reference to it once it returns. */
    Tensor gradForStep(Tensor t);

    /** The flat storage the tensor views (shared). */
    float[] data(Tensor t);

    /** The tensor's shape array (shared: read only). */
    int[] shape(Tensor t);

    /** The tensor's strides in elements (shared: read only). */
    int[] strides(Tensor t);

    /** The storage index of the tensor's first element. */
    int offset(Tensor t);

    /** A contiguous tensor over {@code data} (not copied) with {@code shape}. */
    Tensor wrap(float[] data, int[] shape);

    /** A new zero-filled contiguous tensor of {@code shape}, on a recycled buffer when one is free. */
    Tensor zeros(int[] shape);

    /**
     * A new contiguous float tensor whose values are undefined (a recycled buffer is not
     * refilled): only for a result whose kernel writes every element.
     */
    Tensor forOverwrite(int[] shape);

    /**
     * A result shaped like the contiguous {@code grad} whose element i its kernel computes from
     * element i of grad (and of other operands) only: grad's own buffer when the engine donated
     * it to the running derivative, else {@link #forOverwrite}.
     */
    Tensor overwriting(Tensor grad);

    /**
     * A buffer of {@code length} floats for an op's own transient use (a packed weight), its
     * contents undefined: recycled when this thread has one of that length. Give it back with
     * {@link #releaseScratch} once nothing reads it, on the thread that took it (pools are per
     * thread: a buffer taken on one and released on another would drain the first and fill the
     * second call after call).
     */
    float[] scratch(int length);

    /** Returns a {@link #scratch} buffer to this thread's pool: the caller must not touch it again. */
    void releaseScratch(float[] buffer);

    /** Records {@code result} in the graph as the output of {@code name} (a no-op without grad mode). */
    Tensor record(String name, Tensor result, Tensor[] inputs, Tensor[] saved, Derivative derivative);

    /** left·right for an operand's gradient, laid out in memory like that operand {@code like}. */
    Tensor mmLike(Tensor left, Tensor right, int[] likeShape, int[] likeStrides);

    /** Each operand of a product a·b, kept only when the other one needs its gradient. */
    Tensor[] savedCrosswise(Tensor a, Tensor b);

    /** Counts an in-place write into the tensor's storage that bypassed the tensor ops (its version counter). */
    void bumpVersion(Tensor t);

    /** The sequence number the next autograd node will get: a container's first node, if it records one. */
    long nextNodeSequence();

    /**
     * For a {@code container} whose forward computed {@code intermediates} from {@code input} into
     * {@code output} since node {@code since}, its own layers keeping none of them: their buffers
     * are recycled once a backward pass has freed the nodes that saved them. Does nothing outside
     * grad mode, or when a forward hook on any module below the container could have kept one.
     */
    void leaseActivations(Module container, Tensor input, java.util.List<Tensor> intermediates, Tensor output,
                          long since);

    /**
     * {@code layer.call(input)} where the container vouches that nothing but it can reach
     * {@code input} and that no node saved it: an elementwise layer may then write its result over
     * input's buffer (see {@code BufferPool#overwriting}). When it did, input's version is bumped,
     * so a node that saved it after all would fail its backward like PyTorch's in-place check.
     */
    Tensor callOverwriting(Module layer, Tensor input);

    /** True when a forward hook on a module below {@code container} could see a tensor of its forward. */
    boolean watchedBelow(Module container);
}
