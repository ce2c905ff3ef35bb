package org.vectorgrad.spark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ParameterVectors;
import org.vectorgrad.optim.Optimizer;

/**
 * One worker's share of a step. Its loss is the mean over its {@code b} samples, so its gradients
 * are scaled by {@code b / B} (B the global batch): summed over the workers they are the gradient
 * of the global batch's mean loss, as single-process training computes it. The weighted loss
 * rides along as the vector's last element, so one exchange also gives the global batch's loss.
 */
final class GradientStep {
    private final Module model;
    private final List<Tensor> params;
    private final LossFunction loss;
    private final float[] flat;

    GradientStep(Module model, LossFunction loss) {
        this.model = model;
        this.params = model.parameters();
        this.loss = loss;
        this.flat = new float[ParameterVectors.numel(params) + 1];
    }

    /** The vector to exchange: gradients then loss, both weighted by this worker's share of the batch. */
    float[] vector() {
        return flat;
    }

    /** Forward and backward on this worker's part of the batch (zeros when it holds none of it). */
    void compute(ShardView.Batch batch, int globalBatch) {
        if (batch.size() == 0) {
            Arrays.fill(flat, 0f);
            return;
        }
        model.zeroGrad();
        Tensor value = loss.apply(model.forward(batch.inputs()), batch.labels());
        value.backward();
        float share = (float) batch.size() / globalBatch;
        ParameterVectors.gradientsToArray(params, share, flat);
        flat[flat.length - 1] = value.item() * share;
    }

    /**
     * After the exchange, given the summed vector: the summed gradients become every parameter's
     * .grad, the optimizer steps, and the global batch's mean loss is returned.
     */
    float apply(float[] summed, Optimizer optimizer) {
        ParameterVectors.gradientsFromArray(summed, params);
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
