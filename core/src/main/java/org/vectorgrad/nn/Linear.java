package org.vectorgrad.nn;

import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;

/** y = x·Wᵀ + b over the last dimension ({@code torch.nn.Linear}), with PyTorch's default init. */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias;

    public Linear(int in, int out) {
        this(in, out, true);
    }

    public Linear(int in, int out, boolean bias) {
        this(in, out, bias, Generator.defaultGenerator());
    }

    /** With its initial weights drawn from {@code generator} instead of the default generator. */
    public Linear(int in, int out, Generator generator) {
        this(in, out, true, generator);
    }

    /** With its initial weights drawn from {@code generator} instead of the default generator. */
    public Linear(int in, int out, boolean bias, Generator generator) {
        Init.requireGenerator(generator);
        inFeatures = in;
        outFeatures = out;
        weight = registerParameter("weight", Tensor.zeros(out, in));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(out)) : null;
        Init.kaimingUniform(weight, Math.sqrt(5), generator);
        if (this.bias != null) {
            Init.biasUniform(this.bias, weight, generator);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] shape = x.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException("both arguments to matmul need to be at least 1D, but they are 0D and 2D");
        }
        int columns = shape[shape.length - 1];
        if (columns != inFeatures) {
            int rows = 1;
            for (int d = 0; d < shape.length - 1; d++) {
                rows *= shape[d];
            }
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + rows + "x" + columns
                    + " and " + inFeatures + "x" + outFeatures + ")");
        }
        return Functional.linear(x, weight, bias);
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
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + py(bias != null);
    }
}
