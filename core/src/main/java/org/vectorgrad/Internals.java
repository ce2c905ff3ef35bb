package org.vectorgrad;

import org.vectorgrad.internal.TensorInternals;

/** This package's side of {@link TensorInternals}: installed by {@link Tensor}'s static initialiser. */
final class Internals implements TensorInternals {
    @Override
    public float[] data(Tensor t) {
        return t.data;
    }

    @Override
    public int[] shape(Tensor t) {
        return t.layout.shape;
    }

    @Override
    public int[] strides(Tensor t) {
        return t.layout.strides;
    }

    @Override
    public int offset(Tensor t) {
        return t.layout.offset;
    }

    @Override
    public Tensor wrap(float[] data, int[] shape) {
        return Tensor.wrap(data, shape);
    }

    @Override
    public Tensor record(String name, Tensor result, Tensor[] inputs, Tensor[] saved, Derivative derivative) {
        return Ops.record(name, result, inputs, saved, derivative);
    }

    @Override
    public boolean isViewableAs(Tensor t, int[] shape) {
        return t.layout.viewStrides(shape) != null;
    }

    @Override
    public Tensor mmLike(Tensor left, Tensor right, Tensor like) {
        return Linalg.mmLike(left, right, like);
    }
}
