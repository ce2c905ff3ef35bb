package org.vectorgrad.nn;

import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;

/**
 * What BatchNorm1d and BatchNorm2d share ({@code torch.nn.modules.batchnorm._BatchNorm}): affine
 * weight and bias, running statistics updated with {@code momentum} in training and used in eval.
 * NOTE: num_batches_tracked is a float32 0-d buffer here; PyTorch's is int64.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final float eps;
    private final float momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor numBatchesTracked;

    BatchNorm(int numFeatures, float eps, float momentum) {
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        weight = registerParameter("weight", Tensor.ones(numFeatures));
        bias = registerParameter("bias", Tensor.zeros(numFeatures));
        runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
        runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
        numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.scalar(0f));
    }

    /** Throws PyTorch's message when x has the wrong number of dims for this layer. */
    abstract void checkInputDim(int[] shape);

    @Override
    public Tensor forward(Tensor x) {
        int[] shape = x.shape();
        checkInputDim(shape);
        if (shape[1] != numFeatures) {
            throw new IllegalArgumentException("running_mean should contain " + shape[1] + " elements not " + numFeatures);
        }
        boolean training = isTraining();
        if (training && x.numel() / shape[1] <= 1) {
            throw new IllegalArgumentException("Expected more than 1 value per channel when training, got input size "
                    + StateLoader.size(shape));
        }
        if (training) {
            try (Autograd.Guard ignored = Autograd.noGrad()) {
                numBatchesTracked.addInPlace(Tensor.scalar(1f), 1f);
            }
        }
        return Functional.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + pyFloat(eps) + ", momentum=" + pyFloat(momentum)
                + ", affine=True, track_running_stats=True";
    }
}
