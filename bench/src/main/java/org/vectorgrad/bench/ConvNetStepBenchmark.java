package org.vectorgrad.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vectorgrad.Parallelism;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Conv2d;
import org.vectorgrad.nn.Flatten;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.MaxPool2d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;
import org.vectorgrad.nn.models.ResNet;
import org.vectorgrad.optim.SGD;

/**
 * One training step of a convolutional network: zero the gradients, forward, cross-entropy,
 * backward, SGD with momentum 0.9, on a fixed random batch.
 * <ul>
 *   <li>{@code cnn}: the default model of {@code ./vectorgrad train} (conv3x3 1→16, ReLU, pool,
 *       conv3x3 16→32, ReLU, pool, 1568-128-10), batch 64 of 1×28×28;</li>
 *   <li>{@code resnet18}: torchvision's ResNet-18 (1000 classes), batch 16 of 3×64×64.</li>
 * </ul>
 * Its PyTorch twin is {@code conv_net_step} in tools/pytorch/bench_torch.py.
 *
 * <p>Ten warm-up seconds: a ResNet-18 step takes about 0.2 s, and the JIT compiles each
 * kernel's Vector API code only after many calls.
 *
 * <p>Not final: JMH subclasses its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ConvNetStepBenchmark {
    /** {@code cnn} or {@code resnet18}. */
    @Param({"cnn", "resnet18"})
    public String model;

    /** Kernel threads ({@link Parallelism#setThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Module network;
    private SGD optimizer;
    private Tensor inputs;
    private int[] labels;

    @Setup(Level.Trial)
    public void setUp() {
        Forks.requireVectorModule();
        Parallelism.setThreads(threads);
        Tensor.manualSeed(0);
        boolean cnn = model.equals("cnn");
        network = cnn ? cnn() : ResNet.resnet18(1000);
        int[] shape = cnn ? new int[] {64, 1, 28, 28} : new int[] {16, 3, 64, 64};
        int count = shape[0] * shape[1] * shape[2] * shape[3];
        inputs = Tensor.fromArray(BenchData.gaussian(1, count), shape);
        labels = BenchData.labels(2, shape[0], cnn ? 10 : 1000);
        optimizer = new SGD(network.parameters(), TrainingSteps.LEARNING_RATE, TrainingSteps.MOMENTUM);
    }

    static Module cnn() {
        return new Sequential(
                new Conv2d(1, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2, 2),
                new Conv2d(16, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2, 2),
                new Flatten(), new Linear(32 * 7 * 7, 128), new ReLU(), new Linear(128, 10));
    }

    @Benchmark
    public Tensor step() {
        return TrainingSteps.step(network, optimizer, inputs, labels);
    }
}
