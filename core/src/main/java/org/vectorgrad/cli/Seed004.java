package org.vectorgrad.cli;

import java.util.List;
import org.vectorgrad.Tensor;

/**
 * "torch.autograd" introduction. Its first cells train a pretrained ResNet-18 and print nothing;
 * they arrive with the nn package. The autograd cells are replayed here.
 */
final class Seed004 extends Notebook {
    private Tensor a;
    private Tensor b;

    @Override
    String seedFile() {
        return "004_cb82583ca58af32f.txt";
    }

    @Override
    List<Cell> cells() {
        return List.of(
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
