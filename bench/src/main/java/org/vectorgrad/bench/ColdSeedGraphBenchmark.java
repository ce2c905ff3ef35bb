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
 * The seed graph of {@link AutogradBenchmark} when the JIT has not settled on it: each fork times
 * one batch of {@value #ITERATIONS} iterations (the result is per iteration).
 * <ul>
 *   <li>{@code cold}: the first iterations of a fresh JVM — what a short job or a test pays;</li>
 *   <li>{@code shift}: the iterations right after a phase of 1M-element work (forward and
 *       backward), which leaves the JIT's profiles full of large-tensor paths.</li>
 * </ul>
 * The shift phase first warms the seed graph itself, so the row shows what the large work costs
 * the tiny graph, not its own first compilation.
 *
 * <p>Not final: JMH subclasses its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, batchSize = ColdSeedGraphBenchmark.ITERATIONS)
@Fork(value = 5, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ColdSeedGraphBenchmark {
    static final int ITERATIONS = 20_000;
    private static final int SEED_WARMUP = 200_000;
    private static final int LARGE = 1 << 20;
    private static final long LARGE_PHASE_NANOS = 3_000_000_000L;

    /** {@code cold} (fresh JVM) or {@code shift} (after large work). */
    @Param({"cold", "shift"})
    public String phase;

    /** Kernel threads ({@link Parallelism#setThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Tensor a;
    private Tensor b;

    @Setup(Level.Trial)
    public void setUp() {
        Forks.requireVectorModule();
        Parallelism.setThreads(threads);
        a = AutogradBenchmark.leafA();
        b = AutogradBenchmark.leafB();
        if (phase.equals("shift")) {
            for (int i = 0; i < SEED_WARMUP; i++) {
                AutogradBenchmark.runSeedGraph(a, b);
            }
            largePhase();
        }
    }

    // The same graph on 1M elements plus the elementwise ops a training loop runs, for a few seconds.
    private static void largePhase() {
        Tensor x = Tensor.fromArray(BenchData.gaussian(3, LARGE), LARGE).requiresGrad(true);
        Tensor y = Tensor.fromArray(BenchData.gaussian(4, LARGE), LARGE).requiresGrad(true);
        long end = System.nanoTime() + LARGE_PHASE_NANOS;
        while (System.nanoTime() < end) {
            x.zeroGrad();
            y.zeroGrad();
            Tensor q = x.pow(3f).mul(3f).sub(y.pow(2f)).add(x.mul(y).exp().relu());
            q.sum().backward();
        }
    }

    @Benchmark
    public Tensor seedGraph() {
        return AutogradBenchmark.runSeedGraph(a, b);
    }
}
