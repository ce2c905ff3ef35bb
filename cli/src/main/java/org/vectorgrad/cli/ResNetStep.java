package org.vectorgrad.cli;

import org.vectorgrad.Tensor;
import org.vectorgrad.nn.models.ResNet;
import org.vectorgrad.optim.SGD;

/**
 * The training step both seed 000 and seed 004 open with: resnet18, a random 1x3x64x64 image and
 * random labels, forward, loss = (prediction - labels).sum(), backward, SGD(lr=1e-2, momentum=0.9).
 * NOTE: the notebooks load pretrained weights, which cannot be downloaded here; the model is
 * torchvision's random initialisation after {@code manualSeed(0)} instead, so a run is reproducible
 * and equals PyTorch's {@code torch.manual_seed(0); resnet18()} bit for bit before the forward pass.
 */
final class ResNetStep {
    ResNet model;
    Tensor data;
    Tensor labels;
    Tensor prediction;
    Tensor loss;
    SGD optim;

    String build() {
        Tensor.manualSeed(0);
        model = ResNet.resnet18(1000);
        data = Tensor.rand(1, 3, 64, 64);
        labels = Tensor.rand(1, 1000);
        return "";
    }

    String forward() {
        prediction = model.forward(data);
        return "";
    }

    String backward() {
        loss = prediction.sub(labels).sum();
        loss.backward();
        return "";
    }

    String optimizer() {
        optim = new SGD(model.parameters(), 1e-2f, 0.9f);
        return "";
    }

    String step() {
        optim.step();
        return "";
    }
}
