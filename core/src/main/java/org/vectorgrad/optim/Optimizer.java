package org.vectorgrad.optim;

import java.util.List;
import org.vectorgrad.Tensor;

/** STUB (issue 4): the base of the optimizers, as in torch.optim.Optimizer. */
public abstract class Optimizer {
    protected Optimizer(List<Tensor> params) {
    }

    public abstract void step();

    public void zeroGrad() {
        throw new UnsupportedOperationException("issue 4");
    }
}
