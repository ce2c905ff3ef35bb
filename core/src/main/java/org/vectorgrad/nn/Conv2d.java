package org.vectorgrad.nn;

import java.util.Arrays;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;

/**
 * 2-D convolution with a square kernel ({@code torch.nn.Conv2d}, groups = 1) on N×C×H×W or C×H×W
 * input; weight out×in×k×k, PyTorch's default init.
 */
public final class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final Tensor weight;
    private final Tensor bias;

    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0, 1, true);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, stride, padding, 1, true);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, boolean bias) {
        this(in, out, kernel, stride, padding, dilation, bias, Generator.defaultGenerator());
    }

    /** With its initial weights drawn from {@code generator} instead of the default generator. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, Generator generator) {
        this(in, out, kernel, stride, padding, 1, true, generator);
    }

    /** With its initial weights drawn from {@code generator} instead of the default generator. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, boolean bias,
                  Generator generator) {
        Init.requireGenerator(generator);
        check(kernel > 0 && stride > 0 && dilation > 0 && padding >= 0, "kernel_size, stride and dilation must be"
                + " positive and padding non-negative, got kernel_size=" + kernel + ", stride=" + stride
                + ", padding=" + padding + ", dilation=" + dilation);
        inChannels = in;
        outChannels = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        weight = registerParameter("weight", Tensor.zeros(out, in, kernel, kernel));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(out)) : null;
        Init.kaimingUniform(weight, Math.sqrt(5), generator);
        if (this.bias != null) {
            Init.biasUniform(this.bias, weight, generator);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] shape = x.shape();
        check(shape.length == 3 || shape.length == 4, "Expected 3D (unbatched) or 4D (batched) input to conv2d,"
                + " but got input of size: " + Arrays.toString(shape));
        int[] batched = shape.length == 4 ? shape : new int[] {1, shape[0], shape[1], shape[2]};
        check(batched[1] == inChannels, "Given groups=1, weight of size " + Arrays.toString(weight.shape())
                + ", expected input" + Arrays.toString(batched) + " to have " + inChannels + " channels, but got "
                + batched[1] + " channels instead");
        int paddedH = batched[2] + 2 * padding;
        int paddedW = batched[3] + 2 * padding;
        int span = dilation * (kernel - 1) + 1;
        check(paddedH >= span && paddedW >= span, "Calculated padded input size per channel: (" + paddedH + " x "
                + paddedW + "). Kernel size: (" + span + " x " + span + "). Kernel size can't be greater than actual"
                + " input size");
        return Functional.conv2d(x, weight, bias, stride, padding, dilation);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when built with {@code bias = false}. */
    public Tensor bias() {
        return bias;
    }

    @Override
    protected String extraRepr() {
        StringBuilder repr = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(pair(kernel)).append(", stride=").append(pair(stride));
        if (padding != 0) {
            repr.append(", padding=").append(pair(padding));
        }
        if (dilation != 1) {
            repr.append(", dilation=").append(pair(dilation));
        }
        return bias == null ? repr.append(", bias=False").toString() : repr.toString();
    }

    static String pair(int value) {
        return "(" + value + ", " + value + ")";
    }
}
