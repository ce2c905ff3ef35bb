package org.vectorgrad.nn;

import org.vectorgrad.Tensor;

/** max(x, 0) elementwise ({@code torch.nn.ReLU}); it never modifies its input. */
public final class ReLU extends Module {
    public ReLU() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.relu(x);
    }
}
