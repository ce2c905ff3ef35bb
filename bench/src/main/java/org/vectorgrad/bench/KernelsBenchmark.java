package org.vectorgrad.bench;

import java.util.SplittableRandom;
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
import org.vectorgrad.simd.BinaryOp;
import org.vectorgrad.simd.KernelProvider;
import org.vectorgrad.simd.Kernels;
import org.vectorgrad.simd.UnaryOp;
import org.vectorgrad.simd.Window2d;

/**
 * The scalar reference against the Vector API kernels, single-threaded by default: elementwise ops on 1M
 * floats (contiguous, and with a broadcast scalar), a sum over all of them, softmax over the
 * rows of a 256×1000 matrix, a 256×256×256 matmul and the col2im of the default CNN's second
 * convolution (its input gradient: 64 images of 16×14×14, 3×3 window, padding 1, the images'
 * columns side by side as {@code Convolution} lays them out). Results go to preallocated arrays
 * (col2im adds into its destination, which is never reset: the values do not change the work).
 *
 * <p>Not final: JMH subclasses its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class KernelsBenchmark {
    private static final int N = 1 << 20;
    private static final int[] SHAPE = {N};
    private static final int[] CONTIGUOUS = {1};
    private static final int[] BROADCAST = {0};
    private static final int ROWS = 256;
    private static final int COLUMNS = 1000;
    private static final int M = 256;
    private static final Window2d CONV2 = Window2d.square(14, 14, 3, 1, 1, 1);
    private static final int CONV2_CHANNELS = 16;
    private static final int IMAGES = 64;

    /** Which kernels run: the names {@link KernelProvider#named} takes. */
    @Param({"scalar", "vector"})
    public String implementation;

    /**
     * Kernel threads ({@link Parallelism#setThreads}); 1 keeps this a per-core comparison of the
     * two implementations, comparable with the first (pre-scheduler) run. {@code -p threads=2} to vary.
     */
    @Param({"1"})
    public int threads;

    private Kernels kernels;
    private float[] a;
    private float[] b;
    private float[] positive;
    private float[] two;
    private float[] dst;
    private float[] total;
    private float[] logits;
    private float[] probabilities;
    private float[] left;
    private float[] right;
    private float[] product;
    private float[] columns;
    private float[] inputGrad;

    @Setup(Level.Trial)
    public void setUp() {
        Parallelism.setThreads(threads);
        kernels = KernelProvider.named(implementation);
        SplittableRandom random = new SplittableRandom(42);
        a = gaussian(random, N);
        b = gaussian(random, N);
        positive = new float[N];
        for (int i = 0; i < N; i++) {
            positive[i] = Math.abs(b[i]);
        }
        two = new float[] {2f};
        dst = new float[N];
        total = new float[1];
        logits = gaussian(random, ROWS * COLUMNS);
        probabilities = new float[ROWS * COLUMNS];
        left = gaussian(random, M * M);
        right = gaussian(random, M * M);
        product = new float[M * M];
        columns = gaussian(random, CONV2_CHANNELS * CONV2.taps() * IMAGES * CONV2.outPlane());
        inputGrad = new float[IMAGES * CONV2_CHANNELS * CONV2.inPlane()];
    }

    private static float[] gaussian(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    @Benchmark
    public float[] add() {
        kernels.zip(BinaryOp.ADD, SHAPE, a, 0, CONTIGUOUS, b, 0, CONTIGUOUS, dst, 0);
        return dst;
    }

    @Benchmark
    public float[] addScalar() {
        kernels.zip(BinaryOp.ADD, SHAPE, a, 0, CONTIGUOUS, two, 0, BROADCAST, dst, 0);
        return dst;
    }

    @Benchmark
    public float[] exp() {
        kernels.map(UnaryOp.EXP, SHAPE, a, 0, CONTIGUOUS, dst, 0);
        return dst;
    }

    @Benchmark
    public float[] log() {
        kernels.map(UnaryOp.LOG, SHAPE, positive, 0, CONTIGUOUS, dst, 0);
        return dst;
    }

    @Benchmark
    public float[] tanh() {
        kernels.map(UnaryOp.TANH, SHAPE, a, 0, CONTIGUOUS, dst, 0);
        return dst;
    }

    @Benchmark
    public float[] sum() {
        kernels.sum(SHAPE, a, 0, CONTIGUOUS, new boolean[] {true}, total, 0);
        return total;
    }

    @Benchmark
    public float[] softmaxRows() {
        kernels.softmax(new int[] {ROWS, COLUMNS}, logits, 0, new int[] {COLUMNS, 1}, 1, false, probabilities, 0);
        return probabilities;
    }

    @Benchmark
    public float[] matmul() {
        kernels.matmul(M, M, M, left, 0, M, 1, right, 0, M, 1, product, 0, M, false);
        return product;
    }

    @Benchmark
    public float[] col2im() {
        int length = CONV2.outPlane();
        int image = CONV2_CHANNELS * CONV2.inPlane();
        for (int i = 0; i < IMAGES; i++) {
            kernels.col2im(CONV2, CONV2_CHANNELS, columns, i * length, IMAGES * length, inputGrad, i * image);
        }
        return inputGrad;
    }
}
