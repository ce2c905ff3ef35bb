package org.vectorgrad;

import org.vectorgrad.internal.TensorInternals;
import org.vectorgrad.nn.Module;
import org.vectorgrad.simd.Shapes;

/** This package's side of {@link TensorInternals}: installed by {@link Tensor}'s static initialiser. */
final class Internals implements TensorInternals {
    @Override
    public Tensor gradForStep(Tensor t) {
        return t.gradForStep();
    }

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
    public Tensor zeros(int[] shape) {
        return Ops.empty(shape);
    }

    @Override
    public Tensor forOverwrite(int[] shape) {
        return Ops.forOverwrite(shape);
    }

    @Override
    public Tensor overwriting(Tensor grad) {
        int[] shape = grad.layout.shape.clone();
        return Tensor.wrap(BufferPool.overwriting(grad, Shapes.numel(shape)), shape);
    }

    @Override
    public float[] scratch(int length) {
        return BufferPool.forOverwrite(length);
    }

    @Override
    public void releaseScratch(float[] buffer) {
        BufferPool.release(buffer);
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
    public Tensor mmLike(Tensor left, Tensor right, int[] likeShape, int[] likeStrides) {
        return Linalg.mmLike(left, right, likeShape, likeStrides);
    }

    @Override
    public Tensor[] savedCrosswise(Tensor a, Tensor b) {
        return Linalg.savedCrosswise(a, b);
    }

    @Override
    public void bumpVersion(Tensor t) {
        t.counter().bump();
    }

    @Override
    public long nextNodeSequence() {
        return Node.nextSequence();
    }

    @Override
    public void leaseActivations(Module container, Tensor input, java.util.List<Tensor> intermediates,
                                 Tensor output, long since) {
        if (Autograd.isGradEnabled() && !watchedBelow(container)) {
            ActivationLease.attach(input, intermediates, output, since);
        }
    }

    @Override
    public Tensor callOverwriting(Module layer, Tensor input) {
        BufferPool.donate(input.data);
        Tensor output;
        try {
            output = layer.call(input);
        } finally {
            BufferPool.donate(null);
        }
        if (output.data == input.data) {
            input.counter().bump();
        }
        return output;
    }

    @Override
    public boolean watchedBelow(Module container) {
        return hooked(container.namedChildren().values());
    }

    // A hook anywhere below a container sees a tensor of its forward (a grandchild's output may be a child's).
    private static boolean hooked(Iterable<Module> modules) {
        for (Module module : modules) {
            if (module.hasForwardHooks() || hooked(module.namedChildren().values())) {
                return true;
            }
        }
        return false;
    }
}
