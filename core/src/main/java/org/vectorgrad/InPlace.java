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
        // NOTE: a source overlapping the destination is snapshotted first, so no read sees a write.
        Tensor from = src.data == dst.data ? Tensor.wrap(src.toArray(), src.layout.shape.clone()) : src;
        Layout in = broadcastTo("copy_", from, dst);
        K.copy(dst.layout.shape, from.data, in.offset, in.strides, dst.data, dst.layout.offset, dst.layout.strides);
        return dst;
    }

    static Tensor add(Tensor dst, Tensor other, float alpha) {
        check("add_", dst, other);
        Tensor addend = alpha == 1f ? other : Elementwise.zip(BinaryOp.MUL, other, Tensor.scalar(alpha));
        if (dst.isContiguous() && addend.data != dst.data) {
            Layout in = broadcastTo("add_", addend, dst);
            Layout own = dst.layout;
            K.zip(BinaryOp.ADD, own.shape, dst.data, own.offset, own.strides, addend.data, in.offset, in.strides,
                    dst.data, own.offset);
            return dst;
        }
        broadcastTo("add_", addend, dst);
        return copyFrom(dst, Elementwise.zip(BinaryOp.ADD, dst, addend));
    }

    static Tensor mul(Tensor dst, float factor) {
        check("mul_", dst, null);
        if (!dst.isContiguous()) {
            return copyFrom(dst, Elementwise.zip(BinaryOp.MUL, dst, Tensor.scalar(factor)));
        }
        Layout own = dst.layout;
        K.zip(BinaryOp.MUL, own.shape, dst.data, own.offset, own.strides, new float[] {factor}, 0,
                new int[own.shape.length], dst.data, own.offset);
        return dst;
    }

    static Tensor fill(Tensor dst, float value) {
        check("fill_", dst, null);
        return copyFrom(dst, Tensor.scalar(value));
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
