package org.vectorgrad;

/**
 * The differentiable primitives behind {@link org.vectorgrad.nn.Functional}; call Functional,
 * which documents each one. This class only makes the package-private op families (
 * {@link Convolution}, {@link Pooling}, {@link Normalization}, {@link Losses}, {@link Dense})
 * reachable from {@code org.vectorgrad.nn}, so that they can record their nodes and run their
 * kernels beside the other ops.
 */
public final class NnOps {
    private NnOps() {
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        return Convolution.apply(x, weight, bias, stride, padding, dilation);
    }

    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return Pooling.maxPool2d(x, kernel, stride, padding);
    }

    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return Pooling.avgPool2d(x, kernel, stride, padding);
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, int outputSize) {
        return Pooling.adaptiveAvgPool2d(x, outputSize);
    }

    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, float momentum, float eps) {
        return Normalization.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    public static Tensor nllLoss(Tensor logProbs, int[] targets) {
        return Losses.nllLoss(logProbs, targets);
    }

    public static Tensor crossEntropy(Tensor logits, int[] targets, float labelSmoothing) {
        return Losses.crossEntropy(logits, targets, labelSmoothing);
    }

    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Dense.linear(x, weight, bias);
    }

    public static Tensor dropout(Tensor x, float p, boolean training) {
        return Dense.dropout(x, p, training);
    }

    public static Tensor dropout(Tensor x, float p, boolean training, Generator generator) {
        return Dense.dropout(x, p, training, generator);
    }
}
