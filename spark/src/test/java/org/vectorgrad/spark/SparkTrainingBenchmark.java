package org.vectorgrad.spark;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.vectorgrad.Autograd;
import org.vectorgrad.data.DataLoader;
import org.vectorgrad.data.FashionMnist;
import org.vectorgrad.data.ImageDataset;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.CosineAnnealingLR;
import org.vectorgrad.optim.SGD;

/**
 * The CLI's Fashion-MNIST MLP run (batch 64, SGD 0.03 momentum 0.9, cosine over the epochs) on
 * local[2], printing per epoch what the CLI does not: the time workers spent in the gradient
 * exchange per step. Not a test (timings); run by hand with [epochs] [partitions] [sync].
 */
public final class SparkTrainingBenchmark {
    private SparkTrainingBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        SyncMode sync = args.length > 2 ? SyncMode.valueOf(args[2]) : SyncMode.DIRECT;
        ImageDataset train = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TRAIN);
        ImageDataset test = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST);
        DataLoader.Batch all = DataLoader.fashionMnist(train, train.count(), false, 0, DataLoader.InputShape.FLAT)
                .iterator().next();
        float[] x = all.inputs().toArray();
        List<SampleBlock> blocks = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int from = train.count() * p / partitions;
            int to = train.count() * (p + 1) / partitions;
            blocks.add(new SampleBlock(from, 784, Arrays.copyOfRange(x, from * 784, to * 784),
                    Arrays.copyOfRange(all.labels(), from, to)));
        }
        TrainingConfig config = TrainingConfig.of(() -> FashionMnistSliceTest.build("mlp"),
                p -> new SGD(p, 0.03f, 0.9f), 64, 784).withSync(sync);
        // Tasks kept between epochs, as the CLI does.
        try (DataParallelTrainer trainer = new DataParallelTrainer(LocalSpark.context(), config)
                     .keepTasksBetweenEpochs(Duration.ofMinutes(2));
             TrainingData data = TrainingData.fromBlocks(LocalSpark.context().parallelize(blocks, partitions),
                     partitions)) {
            CosineAnnealingLR schedule = new CosineAnnealingLR(trainer.optimizer(), epochs);
            for (int epoch = 0; epoch < epochs; epoch++) {
                EpochStats stats = trainer.trainEpoch(data, epoch, StepProgress.NONE);
                schedule.step();
                System.out.printf(Locale.ROOT, "epoch %d: loss %.4f, %.2f s, %d steps on %d workers, exchange %.0f us"
                        + "/step, test accuracy %.2f%%%n", epoch + 1, stats.meanLoss(), stats.seconds(), stats.steps(),
                        stats.workers(), stats.syncMicrosPerStep(), 100 * accuracy(trainer.model(), test));
            }
        }
        LocalSpark.session().stop();
    }

    private static double accuracy(Module model, ImageDataset test) {
        model.eval();
        int correct = 0;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            for (DataLoader.Batch batch : DataLoader.fashionMnist(test, 1000, false, 0, DataLoader.InputShape.FLAT)) {
                float[] predicted = model.forward(batch.inputs()).argmax(1, false).toArray();
                for (int i = 0; i < predicted.length; i++) {
                    correct += (int) predicted[i] == batch.labels()[i] ? 1 : 0;
                }
            }
        }
        return (double) correct / test.count();
    }
}
