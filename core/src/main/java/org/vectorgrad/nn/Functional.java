package org.vectorgrad.nn;

import java.util.Arrays;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;

/** Stateless neural-network functions with PyTorch's formulas (mean reduction). */
public final class Functional {
    private Functional() {
    }

    /**
     * mean(max(-x, 0) + (1 - y)·x + log(e^{-max(-x,0)} + e^{-x-max(-x,0)})): binary cross-entropy
     * on logits in PyTorch's overflow-free form; gradient (sigmoid(x) - y) / n.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("Target size (torch.Size(" + Arrays.toString(target.shape())
                    + ")) must be the same as input size (torch.Size(" + Arrays.toString(input.shape()) + "))");
        }
        Tensor loss;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            Tensor maxVal = input.neg().relu();
            Tensor logTerm = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log();
            loss = target.rsub(1f).mul(input).add(maxVal).add(logTerm).mean();
        }
        float count = input.numel();
        return Autograd.attach("BinaryCrossEntropyWithLogitsBackward0", loss,
                new Tensor[] {input, target}, new Tensor[] {input, target}, (g, s, n) -> new Tensor[] {
                    n[0] ? s[0].sigmoid().sub(s[1]).mul(g).div(count) : null,
                    n[1] ? s[0].neg().mul(g).div(count) : null});
    }

    /**
     * mean((x - y)²) with broadcasting; gradient 2(x - y) / n. As in PyTorch, an operand that
     * broadcasts is expanded first (its grad_fn is ExpandBackward0, which sums the gradient back).
     */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        Tensor loss;
        int count;
        int[] shape;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            Tensor diff = input.sub(target);
            count = diff.numel();
            shape = diff.shape();
            loss = diff.pow(2f).mean();
        }
        Tensor x = Arrays.equals(input.shape(), shape) ? input : input.expand(shape);
        Tensor y = Arrays.equals(target.shape(), shape) ? target : target.expand(shape);
        return Autograd.attach("MseLossBackward0", loss, new Tensor[] {x, y}, new Tensor[] {x, y}, (g, s, n) -> {
            Tensor d = s[0].sub(s[1]).mul(g.mul(2f / count));
            return new Tensor[] {n[0] ? d : null, n[1] ? d.neg() : null};
        });
    }
}
