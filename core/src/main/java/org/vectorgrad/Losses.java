package org.vectorgrad;

import static org.vectorgrad.Ops.NONE;
import static org.vectorgrad.Ops.grads;
import static org.vectorgrad.Ops.inputs;
import static org.vectorgrad.Ops.record;

import java.util.Arrays;

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
        int rows = logProbs.layout.shape[0];
        int classes = logProbs.layout.shape[1];
        int[] st = logProbs.layout.strides;
        double total = 0;
        for (int i = 0; i < rows; i++) {
            total += logProbs.data[logProbs.layout.offset + i * st[0] + targets[i] * st[1]];
        }
        // NOTE: PyTorch divides the (negated) sum by the total weight; N = 0 gives 0/0 = NaN as there.
        Tensor loss = Tensor.scalar((float) (-total / rows));
        float[] picks = new float[rows * classes];
        for (int i = 0; i < rows; i++) {
            picks[i * classes + targets[i]] = -1f;
        }
        Tensor selector = Tensor.wrap(picks, rows, classes);
        float count = rows;
        return record("NllLossBackward0", loss, inputs(logProbs), NONE,
                (g, s, n) -> grads(g.mul(selector).div(count)));
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
        int classes = logits.layout.shape[1];
        Tensor smooth = logProbs.sum(1, false).neg().mean();
        return nll.mul(1f - labelSmoothing).add(smooth.mul(labelSmoothing / classes));
    }

    private static void checkTargets(Tensor scores, int[] targets) {
        int[] shape = scores.layout.shape;
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
