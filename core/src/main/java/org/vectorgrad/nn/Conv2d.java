package org.vectorgrad.nn;

import org.vectorgrad.Tensor;

/** STUB (issue 4). */
public final class Conv2d extends Module {
    public Conv2d(int in, int out, int kernel, int stride, int padding) {
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("issue 4");
    }
}
