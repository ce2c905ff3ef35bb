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
 * {@code Tensor.matmul} of two 2-D tensors, result allocated per call (as {@code torch.mm(a, b)}):
 * square sizes 64 to 2048 and the first-layer products of an MNIST MLP at batch 64 and 256.
 * The 2048 case takes ~0.2 s per product, so a 1 s iteration still holds several.
 *
 * <p>Six warm-up seconds, as the MLP step's: the small products reach their steady speed only in
 * a fork's 5th second, when C2 has compiled the micro-kernels (64³: 10-13 µs a product in seconds
 * 2-4, 4.1 µs from the 5th; 128³ with 2 threads: 67-86, then 25-28 µs). With two warm-up
 * seconds those rows averaged the JIT's progress: 2 threads measured slower than 1 on 256³.
 *
 * <p>Not final: JMH subclasses its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class MatmulBenchmark {

    /** The operands: {@link MatmulShape} spellings. */
    @Param({"64", "128", "256", "512", "1024", "2048", "64x784x256", "256x784x256"})
    public String shape;

    /** Kernel threads ({@link Parallelism#setThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Tensor left;
    private Tensor right;

    @Setup(Level.Trial)
    public void setUp() {
        Forks.requireVectorModule();
        Parallelism.setThreads(threads);
        MatmulShape dims = MatmulShape.parse(shape);
        left = Tensor.fromArray(BenchData.gaussian(1, dims.m() * dims.k()), dims.m(), dims.k());
        right = Tensor.fromArray(BenchData.gaussian(2, dims.k() * dims.n()), dims.k(), dims.n());
    }

    @Benchmark
    public Tensor matmul() {
        return left.matmul(right);
    }
}
