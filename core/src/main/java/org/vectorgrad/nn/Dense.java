package org.vectorgrad.nn;

import static org.vectorgrad.nn.Ops.K;
import static org.vectorgrad.nn.Ops.data;
import static org.vectorgrad.nn.Ops.grads;
import static org.vectorgrad.nn.Ops.inputs;
import static org.vectorgrad.nn.Ops.offset;
import static org.vectorgrad.nn.Ops.record;
import static org.vectorgrad.nn.Ops.saved;
import static org.vectorgrad.nn.Ops.shape;
import static org.vectorgrad.nn.Ops.strides;
import static org.vectorgrad.nn.Ops.wrap;

import java.util.Arrays;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;

/** The fully connected layer (F.linear, recorded as PyTorch records it) and dropout. */
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
                    + " weight of size " + Arrays.toString(shape(weight)));
        }
        Tensor wt = weight.t();
        if (bias != null && x.dim() == 2) {
            return addmm(bias, x, wt);
        }
        if (bias != null && x.dim() == 3 && x.isContiguous()) {
            int[] shape = shape(x);
            Tensor product = addmm(bias, x.view(shape[0] * shape[1], shape[2]), wt);
            return product.view(shape[0], shape[1], shape(product)[1]);
        }
        Tensor product = x.matmul(wt);
        return bias == null ? product : product.add(bias);
    }

    /** bias + a·b for matrices a (m×k) and b (k×n), bias broadcast to m×n; PyTorch's AddmmBackward0. */
    static Tensor addmm(Tensor bias, Tensor a, Tensor b) {
        int[] sa = shape(a);
        int[] sb = shape(b);
        if (sa[1] != sb[0]) {
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + sa[0] + "x" + sa[1]
                    + " and " + sb[0] + "x" + sb[1] + ")");
        }
        int[] outShape = {sa[0], sb[1]};
        Tensor broadcastBias = bias.detach().expand(outShape);
        Tensor c = Ops.forOverwrite(outShape); // the bias copy writes every element, the GEMM adds
        K.copy(outShape, data(broadcastBias), offset(broadcastBias), strides(broadcastBias), data(c), 0, strides(c));
        int[] ta = strides(a);
        int[] tb = strides(b);
        K.matmul(sa[0], sb[1], sa[1], data(a), offset(a), ta[0], ta[1], data(b), offset(b), tb[0], tb[1], data(c), 0,
                sb[1], true);
        // NOTE: the bias gradient is g itself, as in PyTorch; the engine sums it down to the bias's shape.
        return record("AddmmBackward0", c, inputs(bias, a, b), Ops.savedCrosswise(a, b), (g, s, n) -> grads(
                n[0] ? g : null,
                n[1] ? Ops.mmLike(g, s[1].t(), sa, ta) : null,
                n[2] ? Ops.mmLike(s[0].t(), g, sb, tb) : null));
    }

    /**
     * Zeroes each element with probability p and scales the others by 1/(1 − p), as x·noise with
     * a constant noise tensor (PyTorch 1.13 on the CPU records MulBackward0 the same way). The
     * input itself comes back in eval mode, for p = 0 and for empty input.
     */
    static Tensor dropout(Tensor x, float p, boolean training) {
        return dropout(x, p, training, Generator.defaultGenerator());
    }

    /** {@link #dropout(Tensor, float, boolean)} with the mask drawn from {@code generator}. */
    static Tensor dropout(Tensor x, float p, boolean training, Generator generator) {
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
        generator.fillUniform(noise, 0, noise.length, 0f, 1f);
        float keep = 1f - p;
        float scale = 1f / keep;
        for (int i = 0; i < noise.length; i++) {
            noise[i] = noise[i] < keep ? scale : 0f;
        }
        return x.mul(wrap(noise, x.shape()));
    }
}
