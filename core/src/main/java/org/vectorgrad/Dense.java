package org.vectorgrad;

import static org.vectorgrad.Ops.K;
import static org.vectorgrad.Ops.grads;
import static org.vectorgrad.Ops.inputs;
import static org.vectorgrad.Ops.record;

import java.util.Arrays;

/**
 * The fully connected layer (F.linear, recorded as PyTorch records it) and dropout.
 */
final class Dense {
    private Dense() {
    }

    /**
     * PyTorch 1.13's at::linear: addmm for 2-D input with a bias, addmm over a view for contiguous
     * 3-D input with a bias (ViewBackward0 over AddmmBackward0), otherwise matmul and then the
     * bias added (AddBackward0 over matmul's graph).
     */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("linear: expected a 2-D weight (out_features, in_features), but got"
                    + " weight of size " + Arrays.toString(weight.layout.shape));
        }
        Tensor wt = weight.t();
        if (bias != null && x.dim() == 2) {
            return addmm(bias, x, wt);
        }
        if (bias != null && x.dim() == 3 && x.isContiguous()) {
            int[] shape = x.layout.shape;
            Tensor product = addmm(bias, x.view(shape[0] * shape[1], shape[2]), wt);
            return product.view(shape[0], shape[1], product.layout.shape[1]);
        }
        Tensor product = x.matmul(wt);
        return bias == null ? product : product.add(bias);
    }

    /** bias + a·b for matrices a (m×k) and b (k×n), bias broadcast to m×n; PyTorch's AddmmBackward0. */
    static Tensor addmm(Tensor bias, Tensor a, Tensor b) {
        int[] sa = a.layout.shape;
        int[] sb = b.layout.shape;
        if (sa[1] != sb[0]) {
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + sa[0] + "x" + sa[1]
                    + " and " + sb[0] + "x" + sb[1] + ")");
        }
        int[] outShape = {sa[0], sb[1]};
        Tensor broadcastBias = bias.detach().expand(outShape);
        Tensor c = Ops.empty(outShape);
        Layout bl = broadcastBias.layout;
        K.copy(outShape, broadcastBias.data, bl.offset, bl.strides, c.data, 0, c.layout.strides);
        Layout la = a.layout;
        Layout lb = b.layout;
        K.matmul(sa[0], sb[1], sa[1], a.data, la.offset, la.strides[0], la.strides[1], b.data, lb.offset,
                lb.strides[0], lb.strides[1], c.data, 0, sb[1], true);
        int[] biasShape = bias.layout.shape.clone();
        return record("AddmmBackward0", c, inputs(bias, a, b), Linalg.savedCrosswise(a, b), (g, s, n) -> grads(
                n[0] ? g.sumToSize(biasShape) : null,
                n[1] ? Linalg.mmLike(g, s[1].t(), la) : null,
                n[2] ? Linalg.mmLike(s[0].t(), g, lb) : null));
    }

    /**
     * Zeroes each element with probability p and scales the others by 1/(1 − p), as x·noise with
     * a constant noise tensor (PyTorch 1.13 on the CPU records MulBackward0 the same way). The
     * input itself comes back in eval mode, for p = 0 and for empty input.
     */
    static Tensor dropout(Tensor x, float p, boolean training) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        if (!training || p == 0f || x.numel() == 0) {
            return x;
        }
        if (p == 1f) {
            return x.mul(Tensor.scalar(0f));
        }
        float[] noise = new float[x.numel()];
        Generator.defaultGenerator().fillUniform(noise, 0, noise.length, 0f, 1f);
        float keep = 1f - p;
        float scale = 1f / keep;
        for (int i = 0; i < noise.length; i++) {
            noise[i] = noise[i] < keep ? scale : 0f;
        }
        return x.mul(Tensor.wrap(noise, x.layout.shape.clone()));
    }
}
