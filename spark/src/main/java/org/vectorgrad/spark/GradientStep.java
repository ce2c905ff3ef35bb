package org.vectorgrad.spark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ParameterVectors;
import org.vectorgrad.optim.Optimizer;

/**
 * One worker's share of a step. Its loss is the mean over its {@code b} samples, and backward
 * starts from {@code b / B} (B the global batch) instead of 1, so its gradients come out already
 * weighted: summed over the workers they are the gradient of the global batch's mean loss, as
 * single-process training computes it (for the usual even split the weight is a power of two,
 * and the floats are those of weighting afterwards). The weighted loss is exchanged with the
 * gradients, as the last element of the vector, so one exchange also gives the global batch's loss.
 */
final class GradientStep {
    private final Module model;
    private final List<Tensor> params;
    private final LossFunction loss;
    private float[] flat;
    private float weightedLoss;

    GradientStep(Module model, LossFunction loss) {
        this.model = model;
        this.params = model.parameters();
        this.loss = loss;
    }

    /** Forward and backward on this worker's part of the batch (no gradients when it holds none of it). */
    void compute(ShardView.Batch batch, int globalBatch) {
        model.zeroGrad();
        if (batch.size() == 0) {
            weightedLoss = 0;
            return;
        }
        float share = (float) batch.size() / globalBatch;
        Tensor value = loss.apply(model.forward(batch.inputs()), batch.labels());
        value.backward(Tensor.full(share, value.shape())); // a 0-d loss, or one element of any shape
        weightedLoss = value.item() * share;
    }

    /** The parameters whose {@code .grad} hold this worker's weighted gradients (none: zeros). */
    List<Tensor> params() {
        return params;
    }

    float weightedLoss() {
        return weightedLoss;
    }

    /** The vector to exchange, built in this step's own array: the weighted gradients, then the weighted loss. */
    float[] vector() {
        if (flat == null) { // an exchange that sums the gradients where they lie never asks
            flat = new float[ParameterVectors.numel(params) + 1];
        }
        ParameterVectors.gradientsToArray(params, 1f, flat);
        flat[flat.length - 1] = weightedLoss;
        return flat;
    }

    /**
     * After the exchange, given the summed vector: every parameter's .grad becomes a view of its
     * summed slice (the optimizer only reads it, and the next step's zeroGrad drops it before
     * backward could write into it), the optimizer steps, and the global batch's mean loss is returned.
     */
    float apply(float[] summed, Optimizer optimizer) {
        ParameterVectors.gradientsAsViews(summed, params);
        optimizer.step();
        return summed[summed.length - 1];
    }

    /** CRC-32 of the parameters' bits: equal on every replica unless a worker diverged. */
    static long checksum(Module model) {
        float[] values = ParameterVectors.parametersToArray(model.parameters());
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
