package org.vectorgrad.nn;

import org.vectorgrad.Tensor;

/** STUB (issue 4). */
public final class Dropout extends Module {
    public Dropout(float p) {
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("issue 4");
    }
}
