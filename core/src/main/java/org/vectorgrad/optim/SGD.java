package org.vectorgrad.optim;

import java.util.List;
import org.vectorgrad.Tensor;

/** STUB (issue 4). */
public final class SGD extends Optimizer {
    public SGD(List<Tensor> params, float lr, float momentum) {
        super(params);
    }

    @Override
    public void step() {
        throw new UnsupportedOperationException("issue 4");
    }
}
