package org.vectorgrad.nn;

import org.vectorgrad.Tensor;

/** STUB (issue 4). */
public final class Flatten extends Module {
    public Flatten() {
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("issue 4");
    }
}
