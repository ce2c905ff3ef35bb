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
 * {@code Tensor.sum()} over every element of a contiguous 16M-float tensor (64 MiB, far beyond
 * the caches), as {@code torch.sum(a)}: a memory-bandwidth test of the reduction kernel.
 *
 * <p>Not final: JMH subclasses its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ReductionBenchmark {

    /** Elements summed ({@link BenchData#parseCount} spelling). */
    @Param({"16M"})
    public String size;

    /** Kernel threads ({@link Parallelism#setThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Tensor values;

    @Setup(Level.Trial)
    public void setUp() {
        Forks.requireVectorModule();
        Parallelism.setThreads(threads);
        int n = BenchData.parseCount(size);
        values = Tensor.fromArray(BenchData.gaussian(1, n), n);
    }

    @Benchmark
    public Tensor sum() {
        return values.sum();
    }
}
