package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;

/**
 * Issue 11, defect 2: many threads running backward() on one model at once must not lose
 * gradient contributions. Weights and inputs are small integers, so every float sum is exact
 * and the result cannot depend on the order in which threads accumulate.
 */
class ConcurrentBackwardTest {
    private static final int THREADS = 16;
    private static final int ROUNDS = 40;

    private static Sequential integerModel() {
        Sequential model = new Sequential(new Linear(6, 8), new ReLU(), new Linear(8, 3));
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            int k = 0;
            for (Tensor p : model.parameters()) {
                float[] values = new float[p.numel()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (k++ * 7 % 5) - 1; // -1..3
                }
                p.copyFrom(Tensor.fromArray(values, p.shape()));
            }
        }
        return model;
    }

    private static Tensor input(int thread) {
        float[] values = new float[4 * 6];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i + thread) % 3;
        }
        return Tensor.fromArray(values, 4, 6);
    }

    private static void step(Sequential model, int thread) {
        model.call(input(thread)).sum().backward();
    }

    @Test
    void sixteenThreadsLoseNoContribution() throws Exception {
        Sequential model = integerModel();
        for (int t = 0; t < THREADS; t++) {
            step(model, t);
        }
        List<float[]> sequential = new ArrayList<>();
        model.parameters().forEach(p -> sequential.add(p.grad().toArray()));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                model.zeroGrad();
                CyclicBarrier start = new CyclicBarrier(THREADS);
                List<Future<?>> runs = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    runs.add(pool.submit(() -> {
                        start.await();
                        step(model, thread);
                        return null;
                    }));
                }
                for (Future<?> run : runs) {
                    run.get();
                }
                List<Tensor> params = model.parameters();
                for (int i = 0; i < params.size(); i++) {
                    assertArrayEquals(sequential.get(i), params.get(i).grad().toArray(), "round " + round + ", parameter " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
