package org.vectorgrad.spark;

import java.util.Arrays;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Functional;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;

/** The reference: PyTorch's usual loop on one process, same sample order and global batch. */
final class SingleProcess {
    private SingleProcess() {
    }

    /** One epoch; returns every step's loss. */
    static float[] epoch(Module model, Optimizer optimizer, Synthetic data, int batch, long seed, int epoch) {
        int[] order = new Generator(seed + epoch).randperm(data.count());
        float[] losses = new float[(data.count() + batch - 1) / batch];
        model.train();
        for (int step = 0; step < losses.length; step++) {
            int[] indices = Arrays.copyOfRange(order, step * batch, Math.min(order.length, (step + 1) * batch));
            Tensor loss = Functional.crossEntropy(model.forward(data.batch(indices)), data.labels(indices));
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
            losses[step] = loss.item();
        }
        return losses;
    }
}
