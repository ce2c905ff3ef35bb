package org.vectorgrad.nn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;
import org.vectorgrad.optim.SGD;

/**
 * torchvision's resnet18 training step replayed: after the same seed, the same weights (pinned bit
 * for bit by ModuleInitTest), the same random input and labels, the forward pass, backward and one
 * SGD(lr=0.01, momentum=0.9) step land where PyTorch's do.
 */
class ResNetTest {

    private static void replay(ResNetFixture f) {
        Tensor.manualSeed(f.seed());
        ResNet model = ResNet.resnet18(f.classes());
        Tensor x = Tensor.rand(f.batch(), 3, f.size(), f.size());
        Tensor labels = Tensor.rand(f.batch(), f.classes());
        Tensor prediction = model.forward(x);
        Tensor loss = prediction.sub(labels).sum();
        loss.backward();
        new SGD(model.parameters(), 1e-2f, 0.9f).step();
        f.checkForward(prediction, loss);
        f.checkAfterStep(model.stateDict());
        f.checkEval(model, x);
    }

    @Test
    void batchOfTwoWithTenClasses() {
        replay(ResNetFixture.load("batch2_classes10"));
    }

    @Test
    void seed004ImageWithThousandClasses() {
        replay(ResNetFixture.load("seed004"));
    }

    @Test
    void refusesWrongInputChannels() {
        ResNet model = ResNet.resnet18(10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(Tensor.zeros(1, 1, 32, 32)));
        assertEquals("Given groups=1, weight of size [64, 3, 7, 7], expected input[1, 1, 32, 32] to have 3 channels,"
                + " but got 1 channels instead", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResNet.resnet18(0));
        assertEquals(List.of("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"),
                List.copyOf(model.namedChildren().keySet()));
    }
}
