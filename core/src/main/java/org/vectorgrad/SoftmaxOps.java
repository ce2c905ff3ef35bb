package org.vectorgrad;

import static org.vectorgrad.Ops.K;
import static org.vectorgrad.Ops.grads;
import static org.vectorgrad.Ops.inputs;
import static org.vectorgrad.Ops.record;
import static org.vectorgrad.Ops.saved;

/** Softmax and log-softmax along a dimension, with their backward formulas. */
final class SoftmaxOps {
    private SoftmaxOps() {
    }

    static Tensor softmax(Tensor x, int dim, boolean log) {
        int d = Layout.wrapDim(dim, x.dim());
        Tensor in = x.dim() == 0 ? x.detach().reshape(1) : x;
        Tensor y = Ops.empty(x.layout.shape.clone());
        K.softmax(in.layout.shape, in.data, in.layout.offset, in.layout.strides, d, log, y.data, 0);
        if (log) {
            return record("LogSoftmaxBackward0", y, inputs(x), saved(y),
                    (g, s, n) -> grads(g.sub(s[0].exp().mul(g.sum(d, true)))));
        }
        return record("SoftmaxBackward0", y, inputs(x), saved(y),
                (g, s, n) -> grads(s[0].mul(g.sub(g.mul(s[0]).sum(d, true)))));
    }
}
