package org.vectorgrad.nn;

import java.util.Arrays;
import org.vectorgrad.Autograd;
import org.vectorgrad.Generator;
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

    /** PyTorch's cross_entropy with integer class targets, mean reduction. */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        return crossEntropy(logits, targets, 0f);
    }

    /** cross_entropy with label smoothing in [0, 1]. */
    public static Tensor crossEntropy(Tensor logits, int[] targets, float labelSmoothing) {
        return Losses.crossEntropy(logits, targets, labelSmoothing);
    }

    /** nll_loss on log-probabilities (N×C) with integer targets, mean reduction. */
    public static Tensor nllLoss(Tensor logProbs, int[] targets) {
        return Losses.nllLoss(logProbs, targets);
    }

    /** x·Wᵀ + b (bias may be null). */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Dense.linear(x, weight, bias);
    }

    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /** conv2d on N×C×H×W (or C×H×W) input, weight O×C×kH×kW, bias O or null; groups = 1. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        return Convolution.apply(x, weight, bias, stride, padding, dilation);
    }

    /** max_pool2d with a square window; padding pads with -inf. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return Pooling.maxPool2d(x, kernel, stride, padding);
    }

    /** avg_pool2d with a square window (count_include_pad = True, PyTorch's default). */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return Pooling.avgPool2d(x, kernel, stride, padding);
    }

    /** adaptive_avg_pool2d to outputSize × outputSize. */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outputSize) {
        return Pooling.adaptiveAvgPool2d(x, outputSize);
    }

    /**
     * batch_norm over N×C(×…): in training, normalises with batch statistics and updates the running
     * buffers in place (unbiased variance, momentum); in eval, uses the running buffers. weight,
     * bias, runningMean and runningVar may be null.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, float momentum, float eps) {
        return Normalization.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /** Zeroes each element with probability p (from the default generator) and scales by 1/(1-p) in training. */
    public static Tensor dropout(Tensor x, float p, boolean training) {
        return Dense.dropout(x, p, training);
    }

    /** {@link #dropout(Tensor, float, boolean)} with the mask drawn from {@code generator} (for {@link Dropout}). */
    static Tensor dropout(Tensor x, float p, boolean training, Generator generator) {
        return Dense.dropout(x, p, training, generator);
    }
}
