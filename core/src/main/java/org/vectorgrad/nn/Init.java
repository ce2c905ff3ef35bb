package org.vectorgrad.nn;

import org.vectorgrad.Autograd;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;

/**
 * Parameter initialisation ({@code torch.nn.init}) drawing from the default generator exactly as
 * PyTorch does: after the same {@code manualSeed}, modules built in the same order get the same bits.
 * Each random method also takes an explicit {@link Generator} (as {@code generator=} in PyTorch 2's
 * init functions): a {@code new Generator(s)} gives what the default generator gives right after
 * {@code manualSeed(s)}, without touching the shared one (so models built on many threads at once
 * are reproducible).
 * NOTE: bounds and standard deviations are computed in double with PyTorch's (Python's) expression
 * order; the kernels then round them to float where PyTorch's kernels do.
 */
public final class Init {
    private Init() {
    }

    /** {@code uniform_(from, to)}: every element from U(from, to); returns the tensor. */
    public static Tensor uniform(Tensor tensor, double from, double to) {
        return uniform(tensor, from, to, Generator.defaultGenerator());
    }

    /** {@code uniform_(from, to, generator=generator)}; returns the tensor. */
    public static Tensor uniform(Tensor tensor, double from, double to, Generator generator) {
        float[] values = new float[tensor.numel()];
        requireGenerator(generator).fillUniform(values, 0, values.length, (float) from, (float) to);
        return overwrite(tensor, values);
    }

    /** {@code normal_(mean, std)}; returns the tensor. */
    public static Tensor normal(Tensor tensor, double mean, double std) {
        return normal(tensor, mean, std, Generator.defaultGenerator());
    }

    /** {@code normal_(mean, std, generator=generator)}; returns the tensor. */
    public static Tensor normal(Tensor tensor, double mean, double std, Generator generator) {
        float[] values = new float[tensor.numel()];
        requireGenerator(generator).fillNormal(values, 0, values.length, mean, std);
        return overwrite(tensor, values);
    }

    /** {@code constant_(value)}; returns the tensor. */
    public static Tensor constant(Tensor tensor, float value) {
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            return tensor.fill(value);
        }
    }

    /** {@code kaiming_uniform_(a, mode='fan_in', nonlinearity='leaky_relu')}: the default of Linear and Conv. */
    public static Tensor kaimingUniform(Tensor tensor, double a) {
        return kaimingUniform(tensor, a, Generator.defaultGenerator());
    }

    /** {@link #kaimingUniform(Tensor, double)} drawing from {@code generator}. */
    public static Tensor kaimingUniform(Tensor tensor, double a, Generator generator) {
        double std = leakyReluGain(a) / Math.sqrt(fanIn(tensor));
        double bound = Math.sqrt(3.0) * std;
        return uniform(tensor, -bound, bound, generator);
    }

    /** {@code kaiming_normal_(mode='fan_out', nonlinearity='relu')}: torchvision's ResNet convolutions. */
    public static Tensor kaimingNormalFanOutRelu(Tensor tensor) {
        return kaimingNormalFanOutRelu(tensor, Generator.defaultGenerator());
    }

    /** {@link #kaimingNormalFanOutRelu(Tensor)} drawing from {@code generator}. */
    public static Tensor kaimingNormalFanOutRelu(Tensor tensor, Generator generator) {
        double std = Math.sqrt(2.0) / Math.sqrt(fanOut(tensor));
        return normal(tensor, 0.0, std, generator);
    }

    /** The bias init of Linear and Conv: U(-1/√fan_in, 1/√fan_in) where fan_in comes from the weight. */
    static Tensor biasUniform(Tensor bias, Tensor weight, Generator generator) {
        int fanIn = fanIn(weight);
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return uniform(bias, -bound, bound, generator);
    }

    /** {@code calculate_gain('leaky_relu', a)}. */
    private static double leakyReluGain(double negativeSlope) {
        return Math.sqrt(2.0 / (1 + negativeSlope * negativeSlope));
    }

    /** Input features times the receptive field (the product of the dims after the first two). */
    static int fanIn(Tensor tensor) {
        return tensor.shape()[1] * receptiveField(tensor);
    }

    static int fanOut(Tensor tensor) {
        return tensor.shape()[0] * receptiveField(tensor);
    }

    private static int receptiveField(Tensor tensor) {
        int[] shape = tensor.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException(
                    "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        }
        int field = 1;
        for (int d = 2; d < shape.length; d++) {
            field *= shape[d];
        }
        return field;
    }

    private static Tensor overwrite(Tensor tensor, float[] values) {
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            return tensor.copyFrom(Tensor.fromArray(values, tensor.shape()));
        }
    }

    static Generator requireGenerator(Generator generator) {
        if (generator == null) {
            throw new IllegalArgumentException(
                    "generator must not be null (Generator.defaultGenerator() is the shared one)");
        }
        return generator;
    }
}
