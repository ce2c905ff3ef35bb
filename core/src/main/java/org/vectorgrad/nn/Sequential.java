package org.vectorgrad.nn;

import org.vectorgrad.Tensor;

/** STUB (issue 4). */
public final class Sequential extends Module {
    public Sequential(Module... layers) {
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("issue 4");
    }
}
