package org.vectorgrad.nn;

import static org.vectorgrad.nn.Ops.data;
import static org.vectorgrad.nn.Ops.grads;
import static org.vectorgrad.nn.Ops.inputs;
import static org.vectorgrad.nn.Ops.offset;
import static org.vectorgrad.nn.Ops.record;
import static org.vectorgrad.nn.Ops.saved;
import static org.vectorgrad.nn.Ops.shape;
import static org.vectorgrad.nn.Ops.strides;
import static org.vectorgrad.nn.Ops.wrap;

import java.util.Arrays;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;

/** Classification losses on N×C scores with integer class targets, mean reduction. */
final class Losses {
    private Losses() {
    }

    /**
     * −(1/N)·Σ_i logProbs[i, t_i]. The backward is linear in the incoming gradient: g times a
     * constant matrix holding −1 at each target (then / N), so createGraph needs nothing more.
     */
    static Tensor nllLoss(Tensor logProbs, int[] targets) {
        checkTargets(logProbs, targets);
        int rows = shape(logProbs)[0];
        int classes = shape(logProbs)[1];
        int[] st = strides(logProbs);
        float[] data = data(logProbs);
        int offset = offset(logProbs);
        double total = 0;
        for (int i = 0; i < rows; i++) {
            total += data[offset + i * st[0] + targets[i] * st[1]];
        }
        // NOTE: PyTorch divides the (negated) sum by the total weight; N = 0 gives 0/0 = NaN as there.
        Tensor loss = Tensor.scalar((float) (-total / rows));
        float[] picks = new float[rows * classes];
        for (int i = 0; i < rows; i++) {
            picks[i * classes + targets[i]] = -1f;
        }
        Tensor selector = wrap(picks, rows, classes);
        float count = rows;
        return record("NllLossBackward0", loss, inputs(logProbs), saved(logProbs, selector),
                (g, s, n) -> grads(nllLossBackward(g, s[0], s[1], count)));
    }

    /**
     * PyTorch's nll_loss_backward, g·selector / N, recorded as its own op so that it is
     * differentiable as PyTorch's is: linear in g (its derivative is nll_loss of the incoming
     * gradient), with a zero derivative in the log-probabilities that keeps them in the graph.
     */
    private static Tensor nllLossBackward(Tensor grad, Tensor logProbs, Tensor selector, float count) {
        Tensor out;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            out = grad.mul(selector).div(count);
        }
        int[] shape = logProbs.shape();
        return record("NllLossBackwardBackward0", out, inputs(grad, logProbs),
                saved(grad.requiresGrad() ? selector : null), (g, s, n) -> grads(
                        n[0] ? g.mul(s[0]).sum().div(count) : null,
                        n[1] ? Tensor.zeros(shape) : null));
    }

    /**
     * nll_loss(log_softmax(x)); with label smoothing ε, (1 − ε)·that + (ε/C)·mean_i(−Σ_c log_softmax(x)[i, c]),
     * PyTorch's formula (the uniform part of the smoothed target).
     */
    static Tensor crossEntropy(Tensor logits, int[] targets, float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("label_smoothing must be between 0.0 and 1.0. Got: " + labelSmoothing);
        }
        checkTargets(logits, targets);
        Tensor logProbs = logits.logSoftmax(1);
        Tensor nll = nllLoss(logProbs, targets);
        if (labelSmoothing == 0f) {
            return nll;
        }
        int classes = shape(logits)[1];
        Tensor smooth = logProbs.sum(1, false).neg().mean();
        return nll.mul(1f - labelSmoothing).add(smooth.mul(labelSmoothing / classes));
    }

    private static void checkTargets(Tensor scores, int[] targets) {
        int[] shape = shape(scores);
        if (shape.length != 2) {
            throw new IllegalArgumentException("Expected 2-D input (batch_size, classes) for integer class targets,"
                    + " but got input of size " + Arrays.toString(shape));
        }
        if (targets.length != shape[0]) {
            throw new IllegalArgumentException("Expected input batch_size (" + shape[0] + ") to match target"
                    + " batch_size (" + targets.length + ") (input of size " + Arrays.toString(shape) + ")");
        }
        for (int target : targets) {
            if (target < 0 || target >= shape[1]) {
                throw new IllegalArgumentException("Target " + target + " is out of bounds (input of size "
                        + Arrays.toString(shape) + ", classes 0.." + (shape[1] - 1) + ")");
            }
        }
    }
}
