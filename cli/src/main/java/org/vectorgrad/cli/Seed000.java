package org.vectorgrad.cli;

import static org.vectorgrad.cli.PyRepr.error;
import static org.vectorgrad.cli.PyRepr.size;
import static org.vectorgrad.cli.PyRepr.tuple;

import java.util.List;
import org.vectorgrad.Tensor;

/**
 * "A introduction of torch.autograd": one ResNet-18 training step (its cells print nothing), then
 * Q = 3a³ - b², backward with an external gradient.
 */
final class Seed000 extends Notebook {
    final ResNetStep resnet = new ResNetStep();
    private Tensor a;
    private Tensor b;
    private Tensor q;
    private Tensor x;
    private Tensor y;

    @Override
    String seedFile() {
        return "000_350151eeef2b41de.txt";
    }

    @Override
    List<Cell> cells() {
        return List.of(
                new Cell("None", "model = torchvision.models.resnet18(pretrained=True)", resnet::build),
                new Cell("None", "prediction = model(data) # forward pass", resnet::forward),
                new Cell("None", "loss = (prediction - labels).sum()", resnet::backward),
                new Cell("None", "optim = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)", resnet::optimizer),
                new Cell("None", "optim.step() # gradient descent", resnet::step),
                new Cell("2", "a, b", () -> {
                    a = Tensor.of(2f, 3f).requiresGrad(true);
                    b = Tensor.of(6f, 4f).requiresGrad(true);
                    return tuple(a, b);
                }),
                new Cell("3", "a.shape, b.shape", () -> tuple(size(a), size(b))),
                new Cell("4", "Q, Q.shape, type(Q)", () -> {
                    q = a.pow(3f).mul(3f).sub(b.pow(2f));
                    return tuple(q, size(q), "torch.Tensor");
                }),
                new Cell("6", "print(9*a**2, a.grad)", this::checkGradients),
                new Cell("26", "x = torch.tensor([1., 2.], requires_grad=True)", () -> {
                    x = Tensor.of(1f, 2f).requiresGrad(true);
                    return x.toString();
                }),
                new Cell("27", "y, type(y)", () -> {
                    Tensor y1 = x.select(0, 0).pow(2f).mul(2f).add(x.select(0, 1));
                    Tensor y2 = x.select(0, 0).mul(3f).add(x.select(0, 1).pow(3f).mul(4f));
                    // torch.tensor([y1, y2]) copies the values into a new leaf: the history is lost.
                    y = Tensor.of(y1.item(), y2.item());
                    return tuple(y, "torch.Tensor");
                }),
                new Cell("30", "y.backward(torch.ones(y.shape))", () -> error(() -> y.backward(Tensor.ones(y.shape())))));
    }

    private String checkGradients() {
        q.backward(Tensor.of(1.5f, 1.9f));
        Tensor expectedA = a.pow(2f).mul(9f);
        Tensor expectedB = b.mul(-2f);
        return expectedA + " " + a.grad() + "\n" + expectedA.eq(a.grad()) + "\n"
                + expectedB + " " + b.grad() + "\n" + expectedB.eq(b.grad());
    }
}
