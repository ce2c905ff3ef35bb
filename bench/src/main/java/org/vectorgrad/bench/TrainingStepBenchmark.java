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
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;
import org.vectorgrad.optim.SGD;

/**
 * One training step of an MNIST-sized MLP 784-256-128-10 (ReLU): zero the gradients, forward,
 * cross-entropy against integer labels, backward, SGD with momentum 0.9. The same batch every
 * step, so only the weights change between calls.
 *
 * <p>Six warm-up seconds: the JIT needs several seconds to compile the GEMM's Vector API
 * micro-kernels for every tile shape the step uses (the cold cost is ColdSeedGraphBenchmark's
 * and the first-epoch row's subject, not this steady-state row's).
 *
 * <p>Not final: JMH subclasses its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class TrainingStepBenchmark {
    private static final int INPUTS = 784;
    private static final int CLASSES = 10;

    /** Examples per step. */
    @Param({"64", "256"})
    public int batch;

    /** Kernel threads ({@link Parallelism#setThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Sequential model;
    private SGD optimizer;
    private Tensor inputs;
    private int[] labels;

    @Setup(Level.Trial)
    public void setUp() {
        Forks.requireVectorModule();
        Parallelism.setThreads(threads);
        Tensor.manualSeed(0);
        model = new Sequential(new Linear(INPUTS, 256), new ReLU(), new Linear(256, 128), new ReLU(),
                new Linear(128, CLASSES));
        optimizer = new SGD(model.parameters(), TrainingSteps.LEARNING_RATE, TrainingSteps.MOMENTUM);
        inputs = Tensor.fromArray(BenchData.gaussian(1, batch * INPUTS), batch, INPUTS);
        labels = BenchData.labels(2, batch, CLASSES);
    }

    @Benchmark
    public Tensor step() {
        return TrainingSteps.step(model, optimizer, inputs, labels);
    }
}
