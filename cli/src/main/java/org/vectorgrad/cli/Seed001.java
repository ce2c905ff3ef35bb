package org.vectorgrad.cli;

import static org.vectorgrad.cli.PyRepr.error;
import static org.vectorgrad.cli.PyRepr.str;

import java.util.List;
import org.vectorgrad.Tensor;

/** "Automatic Computation of Gradients": scalar and vector functions, cos/sin, frozen inputs. */
final class Seed001 extends Notebook {
    private Tensor x;
    private Tensor y;
    private Tensor f;

    @Override
    String seedFile() {
        return "001_a7b0c1d47dd6dca0.txt";
    }

    @Override
    List<Cell> cells() {
        return List.of(
                new Cell("None", "f = 3*x**3 - y**2", () -> {
                    x = Tensor.scalar(2f).requiresGrad(true);
                    y = Tensor.scalar(3f).requiresGrad(true);
                    Tensor scalarF = x.pow(3f).mul(3f).sub(y.pow(2f));
                    String printed = scalarF.toString();
                    scalarF.backward();
                    return printed + "\n" + x.grad() + "\n" + y.grad();
                }),
                new Cell("None", "F = 3*x**3 - y**2", () -> {
                    x = Tensor.of(2f, 3f).requiresGrad(true);
                    y = Tensor.of(6f, 4f).requiresGrad(true);
                    f = x.pow(3f).mul(3f).sub(y.pow(2f));
                    return f.toString();
                }),
                // Colab hid this message ("RuntimeError: ignored"); PyTorch's text is in seed 003.
                new Cell("None", "F.backward()\n", () -> error(() -> f.backward())),
                new Cell("None", "print(x.grad)\nprint(y.grad)", () -> {
                    f.backward(Tensor.of(1f, 1f));
                    return x.grad() + "\n" + y.grad();
                }),
                new Cell("None", "print(F.grad)", () -> str(f.grad())),
                new Cell("None", "y = torch.tensor(3., requires_grad = True)\n\nf = 3*torch.cos(x)",
                        () -> cosSin(true)),
                new Cell("None", "y = torch.tensor(3., requires_grad = False)", () -> cosSin(false)));
    }

    private String cosSin(boolean yRequiresGrad) {
        x = Tensor.scalar(2f).requiresGrad(true);
        y = Tensor.scalar(3f).requiresGrad(yRequiresGrad);
        Tensor g = x.cos().mul(3f).sub(y.sin().pow(2f));
        g.backward();
        return x.grad() + "\n" + str(y.grad());
    }
}
