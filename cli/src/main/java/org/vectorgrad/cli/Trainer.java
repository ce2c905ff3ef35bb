package org.vectorgrad.cli;

import java.util.Iterator;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;
import org.vectorgrad.data.DataLoader;
import org.vectorgrad.nn.Functional;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;

/** The training and evaluation loops: PyTorch's usual train/eval epoch, nothing hidden. */
final class Trainer {
    /** Told after every training batch. */
    interface Progress {
        /** {@code samples} trained so far this epoch, the mean loss over them, and the time since the epoch began. */
        void update(int samples, double meanLoss, long elapsedNanos);
    }

    private final Module model;
    private final Optimizer optimizer;

    Trainer(Module model, Optimizer optimizer) {
        this.model = model;
        this.optimizer = optimizer;
    }

    /** One epoch over {@code loader}'s order for {@code epoch} (0-based); returns the result. */
    EpochResult trainEpoch(DataLoader loader, int epoch, DataLoader test, Progress progress) {
        model.train();
        long start = System.nanoTime();
        double lossSum = 0;
        int samples = 0;
        for (Iterator<DataLoader.Batch> it = loader.epoch(epoch); it.hasNext(); ) {
            DataLoader.Batch batch = it.next();
            Tensor loss = Functional.crossEntropy(model.forward(batch.inputs()), batch.labels());
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
            // Weighted by batch size, so a partial last batch counts for what it holds.
            lossSum += (double) loss.item() * batch.size();
            samples += batch.size();
            progress.update(samples, lossSum / samples, System.nanoTime() - start);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EpochResult(epoch + 1, lossSum / Math.max(samples, 1), accuracy(test), seconds, samples / seconds);
    }

    /** The fraction of {@code test}'s samples whose largest logit is the label, in eval mode without a graph. */
    double accuracy(DataLoader test) {
        model.eval();
        int correct = 0;
        int total = 0;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            for (DataLoader.Batch batch : test) {
                float[] predicted = model.forward(batch.inputs()).argmax(1, false).toArray();
                for (int i = 0; i < predicted.length; i++) {
                    if ((int) predicted[i] == batch.labels()[i]) {
                        correct++;
                    }
                }
                total += batch.size();
            }
        }
        return total == 0 ? 0 : (double) correct / total;
    }
}
