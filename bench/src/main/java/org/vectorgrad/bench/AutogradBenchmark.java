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

/**
 * The seed notebook's graph, forward and backward per call: {@code Q = 3*a**3 - b**2;
 * Q.sum().backward()} on two-element leaves, gradients cleared first so each call does the same
 * work. The tensors are tiny, so this measures the per-op and per-node overhead of recording and
 * running a graph, not the kernels; the thread count only shows that small work stays inline.
 *
 * <p>Six warm-up seconds: a call takes 1.8 µs in a fork's 2nd and 3rd seconds and 1.07 µs from
 * its 5th (the first 20k iterations are ColdSeedGraphBenchmark's rows).
 *
 * <p>Not final: JMH subclasses its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class AutogradBenchmark {

    /** Kernel threads ({@link Parallelism#setThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Tensor a;
    private Tensor b;

    @Setup(Level.Trial)
    public void setUp() {
        Forks.requireVectorModule();
        Parallelism.setThreads(threads);
        a = leafA();
        b = leafB();
    }

    @Benchmark
    public Tensor seedGraph() {
        return runSeedGraph(a, b);
    }

    /** One iteration on the leaves {@code a = [2, 3]}, {@code b = [6, 4]}; returns a's gradient. */
    static Tensor runSeedGraph(Tensor a, Tensor b) {
        a.zeroGrad();
        b.zeroGrad();
        Tensor q = a.pow(3f).mul(3f).sub(b.pow(2f));
        q.sum().backward();
        return a.grad();
    }

    static Tensor leafA() {
        return Tensor.of(2f, 3f).requiresGrad(true);
    }

    static Tensor leafB() {
        return Tensor.of(6f, 4f).requiresGrad(true);
    }
}
