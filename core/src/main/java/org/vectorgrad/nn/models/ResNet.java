package org.vectorgrad.nn.models;

import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Module;

/** STUB (issue 4): torchvision's ResNet. */
public final class ResNet extends Module {
    private ResNet() {
    }

    public static ResNet resnet18(int numClasses) {
        throw new UnsupportedOperationException("issue 4");
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("issue 4");
    }
}
