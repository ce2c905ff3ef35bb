package org.vectorgrad.nn;

import static org.vectorgrad.nn.Ops.K;
import static org.vectorgrad.nn.Ops.data;
import static org.vectorgrad.nn.Ops.grads;
import static org.vectorgrad.nn.Ops.inputs;
import static org.vectorgrad.nn.Ops.offset;
import static org.vectorgrad.nn.Ops.record;
import static org.vectorgrad.nn.Ops.saved;
import static org.vectorgrad.nn.Ops.shape;
import static org.vectorgrad.nn.Ops.wrap;

import java.util.Arrays;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;

/**
 * Batch normalisation over the channels (dimension 1) of an N×C×… input: per channel, y =
 * (x − μ)·invstd·w + b with invstd = 1/√(σ² + eps). In training μ and σ² are the batch's (biased)
 * statistics and the running buffers move towards them (σ² unbiased); in eval the running buffers
 * are μ and σ². Forward and the usual backward are fused per-channel kernels (two passes over the
 * data each); under createGraph the backward is written with tensor ops instead, recomputing the
 * statistics so their dependence on x is differentiated too.
 */
final class Normalization {
    private Normalization() {
    }

    /** The per-channel constants of one call: the statistics used and the affine parameters. */
    private record Stats(int outer, int channels, int inner, float[] mean, float[] invstd, float[] weight) {
        long count() {
            return (long) outer * inner;
        }
    }

    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                            boolean training, float momentum, float eps) {
        check(x, runningMean, runningVar, weight, bias, training);
        int[] shape = x.shape();
        int channels = shape[1];
        int outer = shape[0];
        int inner = channels == 0 || outer == 0 ? 0 : x.numel() / (outer * channels);
        Tensor xd = x.detach().contiguous();
        float[] mean = new float[channels];
        float[] variance = new float[channels];
        if (training) {
            K.channelMoments(outer, channels, inner, data(xd), offset(xd), mean, variance);
            if (runningMean != null) {
                updateRunningStats(runningMean, runningVar, mean, variance, momentum, (long) outer * inner);
            }
        } else {
            mean = runningMean.toArray();
            variance = runningVar.toArray();
        }
        float[] w = weight == null ? filled(channels, 1f) : weight.toArray();
        float[] b = bias == null ? new float[channels] : bias.toArray();
        float[] invstd = new float[channels];
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            invstd[c] = (float) (1.0 / Math.sqrt((double) variance[c] + eps));
            scale[c] = invstd[c] * w[c];
            shift[c] = b[c] - mean[c] * scale[c];
        }
        Tensor y = Ops.forOverwrite(shape); // channelAffine writes every element
        K.channelAffine(outer, channels, inner, data(xd), offset(xd), scale, shift, data(y), 0);
        Stats stats = new Stats(outer, channels, inner, mean, invstd, w);
        Tensor none = Tensor.scalar(0f);
        return record("NativeBatchNormBackward0", y,
                inputs(x, weight == null ? none : weight, bias == null ? none : bias),
                saved(x, xd, weight == null ? none : weight),
                (g, s, n) -> Autograd.isGradEnabled()
                        ? differentiableBackward(g, s[0], weight == null ? null : s[2], stats, training, eps, n)
                        : fusedBackward(g, s[1], stats, training, n));
    }

    /** dx, dw, db with two fused passes over the data (the training step's path). */
    private static Tensor[] fusedBackward(Tensor grad, Tensor xd, Stats st, boolean training, boolean[] needs) {
        Tensor g = grad.contiguous();
        int channels = st.channels();
        float[] sumG = new float[channels];
        float[] sumGxc = new float[channels];
        K.channelGradSums(st.outer(), channels, st.inner(), data(g), offset(g), data(xd), offset(xd),
                st.mean(), sumG, sumGxc);
        Tensor dx = null;
        if (needs[0]) {
            // channelAffine(2) writes every element, element i from g's element i only: in place is safe.
            dx = Ops.overwriting(g);
            float[] a = new float[channels];
            float[] b = new float[channels];
            float[] k = new float[channels];
            double count = st.count();
            for (int c = 0; c < channels; c++) {
                double invstd = st.invstd()[c];
                a[c] = (float) (st.weight()[c] * invstd);
                if (training) {
                    // NOTE: dx = a·(g − Σg/M − x̂·Σ(g·x̂)/M) with x̂ = (x − μ)·invstd, regrouped as g·a + x·b + k.
                    double bc = -a[c] * invstd * invstd * sumGxc[c] / count;
                    b[c] = (float) bc;
                    k[c] = (float) (-a[c] * sumG[c] / count - st.mean()[c] * bc);
                }
            }
            if (training) {
                K.channelAffine2(st.outer(), channels, st.inner(), data(g), offset(g), data(xd),
                        offset(xd), a, b, k, data(dx), 0);
            } else {
                K.channelAffine(st.outer(), channels, st.inner(), data(g), offset(g), a, k, data(dx), 0);
            }
        }
        float[] dw = new float[channels];
        for (int c = 0; c < channels; c++) {
            dw[c] = sumGxc[c] * st.invstd()[c];
        }
        return grads(dx, needs[1] ? wrap(dw, channels) : null, needs[2] ? wrap(sumG, channels) : null);
    }

    /** The same gradients as tensor ops, so that createGraph can differentiate them again. */
    private static Tensor[] differentiableBackward(Tensor g, Tensor x, Tensor weight, Stats st, boolean training,
                                                   float eps, boolean[] needs) {
        int rank = x.dim();
        int[] dims = new int[rank - 1];
        int[] perChannel = new int[rank];
        Arrays.fill(perChannel, 1);
        perChannel[1] = st.channels();
        for (int d = 0, i = 0; d < rank; d++) {
            if (d != 1) {
                dims[i++] = d;
            }
        }
        float count = st.count();
        Tensor xhat;
        Tensor invstd;
        if (training) {
            Tensor centred = x.sub(x.sum(dims, true).div(count));
            invstd = centred.mul(centred).sum(dims, true).div(count).add(eps).pow(-0.5f);
            xhat = centred.mul(invstd);
        } else {
            invstd = Tensor.fromArray(st.invstd(), perChannel);
            xhat = x.sub(Tensor.fromArray(st.mean(), perChannel)).mul(invstd);
        }
        Tensor gw = weight == null ? g : g.mul(weight.reshape(perChannel));
        Tensor dx = null;
        if (needs[0]) {
            dx = training ? gw.sub(gw.sum(dims, true).div(count))
                    .sub(xhat.mul(gw.mul(xhat).sum(dims, true).div(count))).mul(invstd) : gw.mul(invstd);
        }
        return grads(dx, needs[1] ? g.mul(xhat).sum(dims, false) : null, needs[2] ? g.sum(dims, false) : null);
    }

    /** running ← (1 − momentum)·running + momentum·batch, with the unbiased batch variance (in double, as PyTorch). */
    private static void updateRunningStats(Tensor runningMean, Tensor runningVar, float[] mean, float[] variance,
                                           float momentum, long count) {
        float[] rm = runningMean.toArray();
        float[] rv = runningVar.toArray();
        for (int c = 0; c < rm.length; c++) {
            rm[c] = (float) (momentum * (double) mean[c] + (1 - (double) momentum) * rm[c]);
            double unbiased = (double) variance[c] * count / (count - 1);
            rv[c] = (float) (momentum * unbiased + (1 - (double) momentum) * rv[c]);
        }
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            runningMean.copyFrom(wrap(rm, runningMean.shape()));
            runningVar.copyFrom(wrap(rv, runningVar.shape()));
        }
    }

    private static float[] filled(int n, float value) {
        float[] out = new float[n];
        Arrays.fill(out, value);
        return out;
    }

    private static void check(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                              boolean training) {
        int[] shape = shape(x);
        if (shape.length < 2) {
            throw new IllegalArgumentException("batch_norm: expected an input of at least 2 dimensions (N, C, ...),"
                    + " but got input of size " + Arrays.toString(shape));
        }
        if (training && x.numel() / Math.max(1, shape[1]) == 1) {
            throw new IllegalArgumentException("Expected more than 1 value per channel when training, got input size "
                    + "torch.Size(" + Arrays.toString(shape) + ")");
        }
        if (!training && runningMean == null) {
            throw new IllegalArgumentException("running_mean must be defined in evaluation mode");
        }
        if (!training && runningVar == null) {
            throw new IllegalArgumentException("running_var must be defined in evaluation mode");
        }
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException("batch_norm: running_mean and running_var must both be given or both"
                    + " be null");
        }
        checkPerChannel("running_mean", runningMean, shape);
        checkPerChannel("running_var", runningVar, shape);
        checkPerChannel("weight", weight, shape);
        checkPerChannel("bias", bias, shape);
    }

    private static void checkPerChannel(String name, Tensor t, int[] shape) {
        if (t != null && t.numel() != shape[1]) {
            throw new IllegalArgumentException(name + " should contain " + shape[1] + " elements not " + t.numel()
                    + " (input of size " + Arrays.toString(shape) + ", " + name + " of size "
                    + Arrays.toString(shape(t)) + ")");
        }
    }
}
