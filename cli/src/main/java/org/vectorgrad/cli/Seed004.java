package org.vectorgrad.cli;

import java.util.List;
import org.vectorgrad.Tensor;

/**
 * "torch.autograd" introduction: one ResNet-18 training step (its cells print nothing), then the
 * autograd cells.
 */
final class Seed004 extends Notebook {
    final ResNetStep resnet = new ResNetStep();
    private Tensor a;
    private Tensor b;

    @Override
    String seedFile() {
        return "004_cb82583ca58af32f.txt";
    }

    @Override
    List<Cell> cells() {
        return List.of(
                new Cell("1", "model = torchvision.models.resnet18(pretrained=True)", resnet::build),
                new Cell("2", "prediction = model(data) #forward pass", resnet::forward),
                new Cell("3", "loss = (prediction - labels).sum()", resnet::backward),
                new Cell("4", "optim = torch.optim.SGD(model.parameters(),lr=1e-2,momentum=0.9)", resnet::optimizer),
                new Cell("6", "optim.step() #gradient Descent", resnet::step),
                new Cell("12", "a.grad", () -> {
                    a = Tensor.of(2f, 3f).requiresGrad(true);
                    b = Tensor.of(6f, 4f).requiresGrad(true);
                    Tensor q = a.pow(3f).mul(3f).sub(b.pow(2f));
                    q.backward(Tensor.of(1f, 1f));
                    return a.grad().toString();
                }),
                new Cell("13", "b.grad", () -> b.grad().toString()));
    }
}
