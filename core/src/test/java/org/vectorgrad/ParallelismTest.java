package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.vectorgrad.simd.Parallel;

/**
 * {@link Parallelism#withThreads} scopes (nesting, other threads, exceptions) and the promise
 * that neither a cap nor many callers at once change a bit of a forward and backward pass: a
 * matmul, broadcast elementwise ops, exp, relu, log-softmax, sums, a mean and a max, over tensors
 * large enough for every kernel to split its work.
 */
@ExtendWith(RestoreThreads.class)
final class ParallelismTest {
    private static final int ROWS = 613;
    private static final int COLUMNS = 1031;
    private static final int OUTPUTS = 33;
    private static final int CALLERS = 8;

    @Test
    void withThreadsCapsOnlyTheCallingThreadNestsAndRestoresOnExceptions() throws Exception {
        Parallelism.setThreads(8);
        int seenInside = Parallelism.withThreads(3, () -> {
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                assertEquals(8, other.submit(Parallel::callerThreads).get(), "another thread is not capped");
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                other.shutdown();
            }
            assertEquals(1, (int) Parallelism.withThreads(1, Parallel::callerThreads));
            assertThrows(ArithmeticException.class, () -> Parallelism.withThreads(2, () -> {
                assertEquals(2, Parallel.callerThreads());
                return 1 / (Parallel.callerThreads() - 2);
            }));
            return Parallel.callerThreads();
        });
        assertEquals(3, seenInside);
        assertEquals(8, Parallel.callerThreads());
        assertEquals(8, Parallelism.threads(), "a cap is not the JVM's thread count");
    }

    @Test
    void aCapOfOneKeepsEveryLoopOnTheCaller() {
        Parallelism.setThreads(4);
        Parallelism.withThreads(1, () -> assertEquals(1, Parallel.chunkCount(1 << 24, 1)));
        assertEquals(4, Parallel.chunkCount(1 << 24, 1));
    }

    @Test
    void badCapsNameTheCountAndTheLimit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parallelism.withThreads(0, () -> { }));
        assertEquals("withThreads: thread count must be between 1 and 1024, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Parallelism.setThreads(40_000));
        assertEquals("setThreads: thread count must be between 1 and 1024, got 40000", e.getMessage());
    }

    @Test
    void everyCapGivesTheBitsOfOneThread() {
        Parallelism.setThreads(8);
        Inputs in = Inputs.make(0);
        pass(in); // compiles the kernels, so no pass runs colder than another
        List<float[]> single = Parallelism.withThreads(1, () -> pass(in));
        for (int cap : new int[] {2, 3, 8}) {
            assertBitIdentical(single, Parallelism.withThreads(cap, () -> pass(in)), "cap " + cap);
        }
        assertBitIdentical(single, pass(in), "no cap, 8 threads");
    }

    @Test
    void eightConcurrentCallersGetTheBitsOfASequentialRun() throws Exception {
        Inputs[] inputs = new Inputs[CALLERS];
        List<List<float[]>> sequential = new ArrayList<>();
        for (int t = 0; t < CALLERS; t++) {
            inputs[t] = Inputs.make(t);
            sequential.add(pass(inputs[t]));
        }
        CyclicBarrier start = new CyclicBarrier(CALLERS);
        ExecutorService executor = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<List<float[]>>> concurrent = new ArrayList<>();
            for (Inputs in : inputs) {
                concurrent.add(executor.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return pass(in);
                }));
            }
            for (int t = 0; t < CALLERS; t++) {
                assertBitIdentical(sequential.get(t), concurrent.get(t).get(120, TimeUnit.SECONDS), "caller " + t);
            }
        } finally {
            executor.shutdownNow();
        }
    }

    /** One caller's data: x, a broadcast scale row, weights and bias (tensors are read, never written). */
    private record Inputs(Tensor x, Tensor scale, Tensor w, Tensor bias) {
        static Inputs make(int seed) {
            Generator g = new Generator(100 + seed);
            return new Inputs(normal(g, 1, ROWS, COLUMNS), normal(g, 0.5f, 1, COLUMNS), normal(g, 0.05f, COLUMNS, OUTPUTS),
                    normal(g, 1, OUTPUTS));
        }

        private static Tensor normal(Generator g, float std, int... shape) {
            float[] values = new float[java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact)];
            g.fillNormal(values, 0, values.length, 0f, std);
            return Tensor.fromArray(values, shape);
        }
    }

    /** The loss, intermediate values and every leaf's gradient of one forward and backward pass. */
    private static List<float[]> pass(Inputs in) {
        Tensor x = in.x().detach().requiresGrad(true);
        Tensor scale = in.scale().detach().requiresGrad(true);
        Tensor w = in.w().detach().requiresGrad(true);
        Tensor bias = in.bias().detach().requiresGrad(true);
        Tensor a = x.mul(scale).exp();
        Tensor logits = a.matmul(w).add(bias).relu();
        Tensor logProbabilities = logits.logSoftmax(1);
        Tensor columnSums = a.sum(0, true);
        Tensor rowLogSoftmax = a.logSoftmax(1);
        Tensor loss = logProbabilities.mean().add(columnSums.mean()).add(a.sum(1, false).max()).add(x.mul(x).mean())
                .add(rowLogSoftmax.mul(rowLogSoftmax.exp()).sum());
        loss.backward();
        List<float[]> results = new ArrayList<>();
        for (Tensor t : new Tensor[] {loss, a, logits, logProbabilities, columnSums, rowLogSoftmax, x.grad(), scale.grad(), w.grad(),
            bias.grad()}) {
            results.add(t.detach().toArray());
        }
        return results;
    }

    private static void assertBitIdentical(List<float[]> expected, List<float[]> actual, String context) {
        assertEquals(expected.size(), actual.size(), context);
        for (int k = 0; k < expected.size(); k++) {
            float[] e = expected.get(k);
            float[] a = actual.get(k);
            assertEquals(e.length, a.length, context + ", result " + k);
            for (int i = 0; i < e.length; i++) {
                if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(a[i])) {
                    fail(context + ", result " + k + " at " + i + ": expected " + e[i] + " but was " + a[i]);
                }
            }
        }
    }
}
