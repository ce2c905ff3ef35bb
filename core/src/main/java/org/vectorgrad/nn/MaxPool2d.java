package org.vectorgrad.nn;

import org.vectorgrad.Tensor;

/** STUB (issue 4). */
public final class MaxPool2d extends Module {
    public MaxPool2d(int kernel, int stride) {
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("issue 4");
    }
}
