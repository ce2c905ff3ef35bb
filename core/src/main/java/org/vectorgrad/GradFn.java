package org.vectorgrad;

import java.util.List;

/** The operation that produced a tensor, as recorded by autograd (PyTorch's {@code grad_fn}). */
public interface GradFn {
    /** PyTorch's node name, e.g. {@code "MulBackward0"} or {@code "torch::autograd::AccumulateGrad"}. */
    String name();

    /** One entry per input of the operation; {@code null} where that input needs no gradient. */
    List<GradFn> nextFunctions();
}
