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
import org.vectorgrad.simd.BinaryOp;
import org.vectorgrad.simd.KernelProvider;
import org.vectorgrad.simd.Kernels;
import org.vectorgrad.simd.UnaryOp;

/**
 * Elementwise add, mul, exp, tanh and relu on contiguous 1-D operands, two ways:
 * {@link #tensor} is the Tensor op, which allocates its result (as {@code torch.add(a, b)});
 * {@link #out} is the kernel the Tensor op calls, writing into a preallocated array (as
 * {@code torch.add(a, b, out=c)}). The gap between the two is the cost of a fresh result.
 *
 * <p>NOTE: the fork runs on a fixed, pre-touched 1 GB heap. On this VM the first write to a page
 * costs ~12 µs, and a growing G1 heap hands every 4-64 MB result fresh pages: a 16M-element add
 * measured 195 ms (of which {@code new float[16M]} alone 190 ms) until the heap stopped growing,
 * then 20 ms. A long-running server JVM lives in the second regime; a 5-second fork on a 6 GB
 * default heap never leaves the first. Pre-touching measures the steady state.
 *
 * <p>Not final: JMH subclasses its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class ElementwiseBenchmark {
    private static final int[] CONTIGUOUS = {1};

    /** The operation; add and mul take a second operand of the same shape. */
    @Param({"add", "mul", "exp", "tanh", "relu"})
    public String op;

    /** Elements per operand ({@link BenchData#parseCount} spelling). */
    @Param({"1M", "16M"})
    public String size;

    /** Kernel threads ({@link Parallelism#setThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Kernels kernels;
    private int[] shape;
    private float[] a;
    private float[] b;
    private float[] dst;
    private Tensor tensorA;
    private Tensor tensorB;

    @Setup(Level.Trial)
    public void setUp() {
        Forks.requireVectorModule();
        Parallelism.setThreads(threads);
        kernels = KernelProvider.kernels();
        int n = BenchData.parseCount(size);
        shape = new int[] {n};
        a = BenchData.gaussian(1, n);
        b = BenchData.gaussian(2, n);
        dst = new float[n];
        tensorA = Tensor.fromArray(a, n);
        tensorB = Tensor.fromArray(b, n);
    }

    @Benchmark
    public Tensor tensor() {
        return switch (op) {
            case "add" -> tensorA.add(tensorB);
            case "mul" -> tensorA.mul(tensorB);
            case "exp" -> tensorA.exp();
            case "tanh" -> tensorA.tanh();
            case "relu" -> tensorA.relu();
            default -> throw new IllegalArgumentException("unknown elementwise op '" + op + "'");
        };
    }

    @Benchmark
    public float[] out() {
        switch (op) {
            case "add" -> kernels.zip(BinaryOp.ADD, shape, a, 0, CONTIGUOUS, b, 0, CONTIGUOUS, dst, 0);
            case "mul" -> kernels.zip(BinaryOp.MUL, shape, a, 0, CONTIGUOUS, b, 0, CONTIGUOUS, dst, 0);
            case "exp" -> kernels.map(UnaryOp.EXP, shape, a, 0, CONTIGUOUS, dst, 0);
            case "tanh" -> kernels.map(UnaryOp.TANH, shape, a, 0, CONTIGUOUS, dst, 0);
            case "relu" -> kernels.map(UnaryOp.RELU, shape, a, 0, CONTIGUOUS, dst, 0);
            default -> throw new IllegalArgumentException("unknown elementwise op '" + op + "'");
        }
        return dst;
    }
}
