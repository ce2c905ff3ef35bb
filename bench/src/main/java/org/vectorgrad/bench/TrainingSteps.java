package org.vectorgrad.bench;

import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Functional;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;

/** The training step every step benchmark times, and the settings they share. */
final class TrainingSteps {
    // NOTE: a small learning rate keeps the loss finite over the many thousand steps of a run on
    // one fixed batch; a NaN would change the work (and the speed) of every later step.
    static final float LEARNING_RATE = 0.001f;
    static final float MOMENTUM = 0.9f;

    private TrainingSteps() {
    }

    /** Zero the gradients, forward, cross-entropy against integer labels, backward, update. */
    static Tensor step(Module model, Optimizer optimizer, Tensor inputs, int[] labels) {
        optimizer.zeroGrad();
        Tensor loss = Functional.crossEntropy(model.forward(inputs), labels);
        loss.backward();
        optimizer.step();
        return loss;
    }
}
