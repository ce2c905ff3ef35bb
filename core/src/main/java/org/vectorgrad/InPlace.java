package org.vectorgrad;

import static org.vectorgrad.Ops.K;

import org.vectorgrad.simd.BinaryOp;

/**
 * In-place updates ({@code copy_}, {@code add_}, {@code mul_}, {@code fill_}) for optimizers,
 * running statistics and state loading. They are not differentiable: they refuse to run where
 * autograd would need to see them, instead of silently corrupting a recorded graph.
 */
final class InPlace {
    private InPlace() {
    }

    static Tensor copyFrom(Tensor dst, Tensor src) {
        check("copy_", dst, src);
        refuseOverlap(dst);
        copy(dst, src);
        return written(dst);
    }

    static Tensor add(Tensor dst, Tensor other, float alpha) {
        check("add_", dst, other);
        refuseOverlap(dst);
        Tensor addend = alpha == 1f ? other : Elementwise.zip(BinaryOp.MUL, other, Tensor.scalar(alpha));
        if (dst.isContiguous() && addend.data != dst.data) {
            Layout in = broadcastTo("add_", addend, dst);
            Layout own = dst.layout;
            K.zip(BinaryOp.ADD, own.shape, dst.data, own.offset, own.strides, addend.data, in.offset, in.strides,
                    dst.data, own.offset);
        } else {
            broadcastTo("add_", addend, dst);
            copy(dst, Elementwise.zip(BinaryOp.ADD, dst, addend));
        }
        return written(dst);
    }

    static Tensor mul(Tensor dst, float factor) {
        check("mul_", dst, null);
        refuseOverlap(dst);
        if (!dst.isContiguous()) {
            copy(dst, Elementwise.zip(BinaryOp.MUL, dst, Tensor.scalar(factor)));
        } else {
            Layout own = dst.layout;
            K.zip(BinaryOp.MUL, own.shape, dst.data, own.offset, own.strides, new float[] {factor}, 0,
                    new int[own.shape.length], dst.data, own.offset);
        }
        return written(dst);
    }

    /** Unlike the others, allowed on an expanded view (as PyTorch's fill_): every write stores the same value. */
    static Tensor fill(Tensor dst, float value) {
        check("fill_", dst, null);
        copy(dst, Tensor.scalar(value));
        return written(dst);
    }

    /** The write itself, without checks or a version bump (each public op bumps exactly once, as PyTorch). */
    private static void copy(Tensor dst, Tensor src) {
        // NOTE: a source overlapping the destination is snapshotted first, so no read sees a write.
        Tensor from = src.data == dst.data ? Tensor.wrap(src.toArray(), src.layout.shape) : src;
        Layout in = broadcastTo("copy_", from, dst);
        K.copy(dst.layout.shape, from.data, in.offset, in.strides, dst.data, dst.layout.offset, dst.layout.strides);
    }

    private static Tensor written(Tensor dst) {
        dst.counter().bump();
        return dst;
    }

    /**
     * PyTorch's assert_no_internal_overlap: a write through a broadcast (stride-0) dimension would
     * store several results into one element, and which one wins would depend on the kernel.
     */
    private static void refuseOverlap(Tensor dst) {
        int[] shape = dst.layout.shape;
        int[] strides = dst.layout.strides;
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                throw new IllegalArgumentException("unsupported operation: more than one element of the written-to"
                        + " tensor refers to a single memory location. Please clone() the tensor before performing"
                        + " the operation.");
            }
        }
    }

    private static Layout broadcastTo(String op, Tensor src, Tensor dst) {
        int[] from = src.layout.shape;
        int[] to = dst.layout.shape;
        boolean fits = from.length <= to.length;
        for (int i = 1; fits && i <= from.length; i++) {
            int size = from[from.length - i];
            fits = size == 1 || size == to[to.length - i];
        }
        if (!fits) {
            throw new IllegalArgumentException(op + ": the source of shape " + Tensor.sizeString(from)
                    + " is not broadcastable to the destination of shape " + Tensor.sizeString(to));
        }
        return src.layout.expand(to);
    }

    private static void check(String op, Tensor dst, Tensor src) {
        if (!Autograd.isGradEnabled()) {
            return;
        }
        if (dst.isLeaf() && dst.requiresGrad()) {
            throw new IllegalStateException("a leaf Variable that requires grad is being used in an in-place operation.");
        }
        if (dst.requiresGrad() || (src != null && src.requiresGrad())) {
            throw new IllegalStateException(op + " is not differentiable in Vectorgrad: run it under"
                    + " Autograd.noGrad() or on detached tensors");
        }
    }
}
