package org.vectorgrad.nn;

import org.vectorgrad.Derivative;
import org.vectorgrad.Tensor;
import org.vectorgrad.internal.SharedSecrets;
import org.vectorgrad.internal.TensorInternals;
import org.vectorgrad.simd.KernelProvider;
import org.vectorgrad.simd.Kernels;
import org.vectorgrad.simd.Shapes;

/**
 * The plumbing of the nn primitives ({@link Convolution}, {@link Pooling}, {@link Normalization},
 * {@link Losses}, {@link Dense}), as {@code org.vectorgrad.Ops} is for the core op families: the
 * kernels, recording a result into the graph, and the tensor internals, reached through
 * {@link TensorInternals} so that {@link Tensor} needs no public accessors.
 */
final class Ops {
    static final Kernels K = KernelProvider.kernels();
    static final Tensor[] NONE = new Tensor[0];
    private static final TensorInternals INTERNALS = SharedSecrets.tensorInternals();

    private Ops() {
    }

    static Tensor record(String name, Tensor result, Tensor[] inputs, Tensor[] saved, Derivative derivative) {
        return INTERNALS.record(name, result, inputs, saved, derivative);
    }

    static Tensor[] inputs(Tensor... tensors) {
        return tensors;
    }

    static Tensor[] saved(Tensor... tensors) {
        return tensors;
    }

    static Tensor[] grads(Tensor... grads) {
        return grads;
    }

    /** A new contiguous float tensor of the given shape, uninitialised (zeros). */
    static Tensor empty(int[] shape) {
        return INTERNALS.zeros(shape);
    }

    /** A new contiguous float tensor whose every element the caller writes (values undefined until then). */
    static Tensor forOverwrite(int[] shape) {
        return INTERNALS.forOverwrite(shape);
    }

    /** A result over the donated {@code grad}'s own buffer when it may be (see TensorInternals.overwriting). */
    static Tensor overwriting(Tensor grad) {
        return INTERNALS.overwriting(grad);
    }

    /** A buffer for an op's transient use, contents undefined (see TensorInternals.scratch). */
    static float[] scratch(int length) {
        return INTERNALS.scratch(length);
    }

    /** Gives a {@link #scratch} buffer back: nothing may read or write it afterwards. */
    static void releaseScratch(float[] buffer) {
        INTERNALS.releaseScratch(buffer);
    }

    /** A contiguous tensor over {@code data}, not copied. */
    static Tensor wrap(float[] data, int... shape) {
        return INTERNALS.wrap(data, shape);
    }

    /** The storage {@code t} views: read through {@link #offset} and {@link #strides}; written only when fresh. */
    static float[] data(Tensor t) {
        return INTERNALS.data(t);
    }

    /** {@code t}'s own shape array: read only ({@link Tensor#shape()} is the copying public form). */
    static int[] shape(Tensor t) {
        return INTERNALS.shape(t);
    }

    static int[] strides(Tensor t) {
        return INTERNALS.strides(t);
    }

    static int offset(Tensor t) {
        return INTERNALS.offset(t);
    }

    /** left·right for an operand's gradient, laid out in memory like that operand (see Linalg.mmLike). */
    static Tensor mmLike(Tensor left, Tensor right, int[] likeShape, int[] likeStrides) {
        return INTERNALS.mmLike(left, right, likeShape, likeStrides);
    }

    /** What PyTorch saves for a product a·b (see Linalg.savedCrosswise). */
    static Tensor[] savedCrosswise(Tensor a, Tensor b) {
        return INTERNALS.savedCrosswise(a, b);
    }
}
