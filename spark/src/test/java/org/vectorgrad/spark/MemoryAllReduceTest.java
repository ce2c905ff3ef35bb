package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;

/**
 * The in-JVM gradient sum, with worker threads of their own: every worker gets, every step, the
 * bits of the workers' exchange vectors added in worker order (the reference {@link
 * AllReduce#sum} defines), while workers run up to a step apart and some hold no samples.
 */
class MemoryAllReduceTest {
    private static final int WORKERS = 3;
    private static final int STEPS = 40;
    private static final int FEATURES = 7;

    @Test
    void everyWorkerGetsTheWorkerOrderSumOfTheVectorsEveryStep() throws Exception {
        // Entry 2s: step s's gradients; entry 2s+1: a plain vector summed after some steps, as the
        // epoch's running statistics are, so both kinds of call take turns in the slots.
        float[][][] vectors = new float[2 * STEPS][WORKERS][];
        float[][][] sums = new float[2 * STEPS][WORKERS][];
        String key = "test-" + System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int rank = 0; rank < WORKERS; rank++) {
                int r = rank;
                done.add(pool.submit(() -> {
                    work(new MemoryAllReduce(key, r, WORKERS, () -> false), r, vectors, sums);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int entry = 0; entry < 2 * STEPS; entry++) {
            if (vectors[entry][0] == null) {
                continue;
            }
            float[] expected = vectors[entry][0].clone();
            for (int w = 1; w < WORKERS; w++) {
                for (int i = 0; i < expected.length; i++) {
                    expected[i] += vectors[entry][w][i];
                }
            }
            for (int w = 0; w < WORKERS; w++) {
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(sums[entry][w][i]),
                            "entry " + entry + " (step " + entry / 2 + "), worker " + w + ", element " + i);
                }
            }
        }
    }

    // Each worker: its own replica, a batch of its own (none in step 3 for worker 1), random pauses
    // so that workers arrive in every order and one may read a slot while another fills the next.
    private static void work(MemoryAllReduce exchange, int rank, float[][][] vectors, float[][][] sums)
            throws IOException, InterruptedException {
        Tensor.manualSeed(100 + rank);
        Module model = new Sequential(new Linear(FEATURES, 5), new ReLU(), new Linear(5, 3));
        GradientStep gradients = new GradientStep(model, LossFunction.crossEntropy());
        Random random = new Random(rank);
        try (exchange) {
            for (int step = 0; step < STEPS; step++) {
                int size = rank == 1 && step == 3 ? 0 : 1 + random.nextInt(4);
                gradients.compute(batch(size, random), 10);
                vectors[2 * step][rank] = gradients.vector().clone();
                Thread.sleep(random.nextInt(3));
                sums[2 * step][rank] = exchange.sumGradients(gradients, step).clone();
                if (step % 4 == 3) {
                    float[] plain = new float[5 + step];
                    for (int i = 0; i < plain.length; i++) {
                        plain[i] = (float) random.nextGaussian();
                    }
                    vectors[2 * step + 1][rank] = plain.clone();
                    sums[2 * step + 1][rank] = exchange.sum(plain, step).clone();
                }
            }
        }
    }

    private static ShardView.Batch batch(int size, Random random) {
        if (size == 0) {
            return new ShardView.Batch(null, new int[0]);
        }
        float[] values = new float[size * FEATURES];
        int[] labels = new int[size];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < size; i++) {
            labels[i] = random.nextInt(3);
        }
        return new ShardView.Batch(Tensor.fromArray(values, size, FEATURES), labels);
    }

    @Test
    void aFailedWorkerReleasesTheOthersWaitingForIt() throws Exception {
        String key = "abort-" + System.nanoTime();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            MemoryAllReduce waiting = new MemoryAllReduce(key, 0, 2, () -> false);
            MemoryAllReduce failing = new MemoryAllReduce(key, 1, 2, () -> false);
            Tensor.manualSeed(1);
            GradientStep gradients = new GradientStep(new Linear(FEATURES, 3), LossFunction.crossEntropy());
            gradients.compute(batch(2, new Random(1)), 2);
            Future<float[]> blocked = pool.submit(() -> waiting.sumGradients(gradients, 5));
            Thread.sleep(20);
            failing.abort();
            ExecutionException e = assertThrows(ExecutionException.class, blocked::get);
            PeerLostException lost = assertInstanceOf(PeerLostException.class, e.getCause());
            assertTrue(lost.getMessage().contains("exchanging gradients in step 5"), lost.getMessage());
            waiting.close();
            failing.close();
        } finally {
            pool.shutdownNow();
        }
    }
}
