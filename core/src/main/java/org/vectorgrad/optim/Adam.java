package org.vectorgrad.optim;

import java.util.List;
import org.vectorgrad.Tensor;

/** STUB (issue 4). */
public final class Adam extends Optimizer {
    public Adam(List<Tensor> params, float lr) {
        super(params);
    }

    @Override
    public void step() {
        throw new UnsupportedOperationException("issue 4");
    }
}
