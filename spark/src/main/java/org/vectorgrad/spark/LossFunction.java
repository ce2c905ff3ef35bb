package org.vectorgrad.spark;

import java.io.Serializable;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Functional;

/**
 * The training loss of a batch: model output and class labels to a scalar that is the MEAN over
 * the batch's samples (the trainer weights each worker's mean by its share of the global batch).
 */
@FunctionalInterface
public interface LossFunction extends Serializable {
    Tensor apply(Tensor output, int[] labels);

    /** {@link Functional#crossEntropy(Tensor, int[])}: logits against class indices. */
    static LossFunction crossEntropy() {
        return Functional::crossEntropy;
    }
}
