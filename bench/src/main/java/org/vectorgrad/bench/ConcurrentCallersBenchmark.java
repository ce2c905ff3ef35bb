package org.vectorgrad.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vectorgrad.Parallelism;
import org.vectorgrad.Tensor;

/**
 * An application's own thread pool calling the library: {@link #TASKS} tasks, each a 512×512
 * matmul and a chain of elementwise ops and a sum over 1M floats, either submitted at once to a
 * fixed {@link #TASKS}-thread executor ({@link #executor}) or run one after another on the
 * benchmark thread ({@link #sequential}). Both do the same work with the same kernel thread
 * count, so {@code executor / sequential} is the cost (or gain) of arriving from many threads at
 * once; it should not exceed 1. {@link #executorOneThreadEach} is the same executor with every
 * task capped to one kernel thread by the caller ({@code Parallelism.withThreads(1, ...)}).
 *
 * <p>A ratio within Vectorgrad with no PyTorch twin, so {@code vectorgrad bench --compare} leaves
 * it out by default (as {@code KernelsBenchmark}); run it by name:
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ConcurrentCallers}.
 *
 * <p>Not final: JMH subclasses its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class ConcurrentCallersBenchmark {
    static final int TASKS = 8;
    private static final int SIDE = 512;
    private static final int ELEMENTS = 1 << 20;

    /** Kernel threads ({@link Parallelism#setThreads}); the default is this machine's core count. */
    @Param({"2"})
    public int threads;

    private Tensor left;
    private Tensor right;
    private Tensor x;
    private Tensor y;
    private ExecutorService executor;

    @Setup(Level.Trial)
    public void setUp() {
        Forks.requireVectorModule();
        Parallelism.setThreads(threads);
        left = Tensor.fromArray(BenchData.gaussian(1, SIDE * SIDE), SIDE, SIDE);
        right = Tensor.fromArray(BenchData.gaussian(2, SIDE * SIDE), SIDE, SIDE);
        x = Tensor.fromArray(BenchData.gaussian(3, ELEMENTS), ELEMENTS);
        y = Tensor.fromArray(BenchData.gaussian(4, ELEMENTS), ELEMENTS);
        executor = Executors.newFixedThreadPool(TASKS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(1, TimeUnit.MINUTES);
    }

    /** One task: a matmul, four elementwise ops and a sum; returns a checksum so nothing is dead code. */
    float task(int seed) {
        Tensor product = left.matmul(right);
        Tensor h = x.mul(y).add((float) seed).tanh().mul(x).exp();
        return product.get(seed, seed) + h.sum().item();
    }

    @Benchmark
    public float sequential() {
        float total = 0;
        for (int t = 0; t < TASKS; t++) {
            total += task(t);
        }
        return total;
    }

    @Benchmark
    public float executor() throws InterruptedException, ExecutionException {
        return onExecutor(this::task);
    }

    @Benchmark
    public float executorOneThreadEach() throws InterruptedException, ExecutionException {
        return onExecutor(seed -> Parallelism.withThreads(1, () -> task(seed)));
    }

    // All tasks submitted at once, then their checksums summed in submission order.
    private float onExecutor(IntFunction<Float> work) throws InterruptedException, ExecutionException {
        List<Future<Float>> results = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            int seed = t;
            results.add(executor.submit(() -> work.apply(seed)));
        }
        float total = 0;
        for (Future<Float> result : results) {
            total += result.get();
        }
        return total;
    }
}
