package org.vectorgrad.cli;

import static org.vectorgrad.cli.PyRepr.error;
import static org.vectorgrad.cli.PyRepr.fixed3;
import static org.vectorgrad.cli.PyRepr.str;

import java.util.List;
import org.vectorgrad.Tensor;

/**
 * "Autograd: automatic differentiation" (PyTorch tutorial). Random tensors the notebook printed
 * are rebuilt from their printed values; where only a derived value was printed, the input is
 * recovered exactly from it (see {@link #doublingLoop()}).
 */
final class Seed002 extends Notebook {
    private Tensor x;
    private Tensor y;
    private Tensor out;

    @Override
    String seedFile() {
        return "002_a49e807ed4ff8ac5.txt";
    }

    @Override
    List<Cell> cells() {
        return List.of(
                new Cell("3", "x = torch.ones(2, 2, requires_grad=True)", () -> {
                    x = Tensor.ones(2, 2).requiresGrad(true);
                    return x.toString();
                }),
                new Cell("7", "y = x + 2", () -> {
                    y = x.add(2f);
                    return y.toString();
                }),
                new Cell("8", "print(y.grad_fn)", () -> y.gradFn().toString()),
                new Cell("9", "out = z.mean()", () -> {
                    Tensor z = y.mul(y).mul(3f);
                    out = z.mean();
                    out.backward();
                    return z + "\n" + out;
                }),
                new Cell("21", "a = torch.randn(5, 5, requires_grad=True)", this::assignmentSum),
                new Cell("24", "out.backward()", () -> error(() -> out.backward())),
                new Cell("25", "print(x.grad)", () -> x.grad().toString()),
                new Cell("29", "while y.data.norm() < 1000:", this::doublingLoop),
                new Cell("30", "y.backward(gradients)", () -> {
                    y.backward(Tensor.of(0.1f, 1.0f, 0.0001f));
                    return x.grad().toString();
                }),
                new Cell("36", "sum_result.retain_grad()", this::retainGradAssignment));
    }

    private String assignmentSum() {
        Tensor a = Tensor.of(new float[][] {
            {-2.6417f, 1.0485f, 0.6656f, -0.7590f, -0.7866f},
            {-0.6268f, -0.6789f, -0.8367f, 0.3465f, 0.0406f},
            {-0.0577f, 0.3424f, -0.4682f, 0.1584f, -1.3160f},
            {-0.2772f, -0.0488f, 0.2400f, 0.4549f, -0.5794f},
            {-1.3434f, -0.2605f, -0.9742f, -0.0462f, 0.0401f}}).requiresGrad(true);
        return a + "\nSum of the values: " + fixed3(a.sum().item());
    }

    // The notebook printed x only to 4 decimals but y = x * 1024 to 4 decimals as well; dividing
    // the printed y by 1024 is exact in binary, so it recovers an x consistent with both prints.
    private String doublingLoop() {
        x = Tensor.of(48.6576f / 1024, -666.0714f / 1024, -1112.4949f / 1024).requiresGrad(true);
        String printedX = x.toString();
        y = x.mul(2f);
        while (y.detach().norm().item() < 1000) {
            y = y.mul(2f);
        }
        return printedX + "\n" + y;
    }

    private String retainGradAssignment() {
        Tensor.manualSeed(36);
        Tensor tensor = Tensor.randn(3, 3).requiresGrad(true);
        Tensor doubled = tensor.mul(2f);
        Tensor sumResult = doubled.sum();
        StringBuilder text = new StringBuilder("Gradients before backward pass:\n");
        text.append(gradients(tensor, doubled, sumResult));
        sumResult.retainGrad();
        sumResult.backward();
        text.append("\n\nGradients after backward pass:\n").append(gradients(tensor, doubled, sumResult));
        return text.toString();
    }

    private static String gradients(Tensor tensor, Tensor x, Tensor sumResult) {
        return "Gradient of tensor: " + str(tensor.grad()) + "\nGradient of x: " + str(x.grad())
                + "\nGradient of sum_result: " + str(sumResult.grad());
    }
}
