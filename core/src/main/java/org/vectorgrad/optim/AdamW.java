package org.vectorgrad.optim;

import java.util.List;
import org.vectorgrad.Tensor;

/** STUB (issue 4). */
public final class AdamW extends Optimizer {
    public AdamW(List<Tensor> params, float lr, float weightDecay) {
        super(params);
    }

    @Override
    public void step() {
        throw new UnsupportedOperationException("issue 4");
    }
}
