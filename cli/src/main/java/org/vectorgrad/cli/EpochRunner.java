package org.vectorgrad.cli;

import java.io.PrintStream;
import org.vectorgrad.data.DataLoader;
import org.vectorgrad.data.ImageDataset;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;

/**
 * Trains one epoch of a run, in this process ({@link Trainer}) or on Spark ({@code SparkEpochs},
 * loaded by name so that the cli jar runs without Spark on its class path).
 */
interface EpochRunner extends AutoCloseable {
    /** Epoch {@code epoch} (0-based) over the training data, then the test accuracy. */
    EpochResult trainEpoch(int epoch, Trainer.Progress progress);

    @Override
    default void close() {
    }

    /** In this process, on {@code options.threads()} kernel threads. */
    static EpochRunner local(Trainer trainer, DataLoader train, DataLoader test) {
        return (epoch, progress) -> trainer.trainEpoch(train, epoch, test, progress);
    }

    /** Builds the Spark runner; implemented by {@code SparkEpochs}. */
    interface SparkFactory {
        EpochRunner create(TrainOptions options, SparkOptions spark, ImageDataset train, DataLoader test, Module model,
                           Optimizer optimizer, PrintStream out);
    }

    /** The Spark runner, or an IllegalArgumentException saying how to get Spark onto the class path. */
    static EpochRunner spark(TrainOptions options, SparkOptions spark, ImageDataset train, DataLoader test,
                             Module model, Optimizer optimizer, PrintStream out) {
        SparkFactory factory;
        try {
            factory = Class.forName("org.vectorgrad.cli.SparkEpochs").asSubclass(SparkFactory.class)
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("--spark needs vectorgrad-spark and Spark 4.2 (Scala 2.13) on the class"
                    + " path, which ./vectorgrad adds when it sees --spark (" + e + ")", e);
        }
        return factory.create(options, spark, train, test, model, optimizer, out);
    }
}
