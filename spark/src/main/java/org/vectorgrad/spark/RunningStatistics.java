package org.vectorgrad.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.ParameterVectors;

/**
 * Buffers that each replica updates from its own rows (BatchNorm's running mean and variance) are
 * averaged over the workers, as timm's {@code distribute_bn} does before evaluation, so that every
 * sample counts, not only worker 0's. The update is linear in the batch statistics, so averaging
 * once per epoch (barrier mode) equals averaging every step (the per-step fallback). Every worker
 * computes an equal share of each batch ({@link BatchShares}), so when the workers divide the batch
 * the averaged running mean is the single-process one; the averaged variance lacks the spread
 * between the shares' means. Counters ({@code num_batches_tracked}) are worker 0's: the
 * same on every worker that had rows in every step.
 */
final class RunningStatistics {
    private static final String COUNTER = "num_batches_tracked";

    private RunningStatistics() {
    }

    /** Barrier mode, at the end of an epoch: a collective, every worker calls it with the same architecture. */
    static void average(Map<String, Tensor> buffers, AllReduce exchange, int step, int world) throws IOException {
        List<Tensor> statistics = new ArrayList<>();
        buffers.forEach((name, buffer) -> {
            if (!isCounter(name)) {
                statistics.add(buffer);
            }
        });
        if (statistics.isEmpty() || world == 1) {
            return;
        }
        // The sum may be the exchange's own buffer: divided into a new array, never in place.
        float[] sum = exchange.sum(ParameterVectors.parametersToArray(statistics), step);
        ParameterVectors.arrayToParameters(divided(sum, world), statistics);
    }

    /** The per-step fallback: {@code perWorker} holds every worker's buffers, each flattened by {@link #of}. */
    static void combine(Map<String, Tensor> buffers, List<float[]> perWorker) {
        float[][] parts = perWorker.toArray(float[][]::new);
        float[] sum = new float[parts[0].length];
        AllReduce.addInOrder(parts, new int[parts.length], sum.length, sum, 0);
        float[] average = divided(sum, parts.length);
        int at = 0;
        for (Map.Entry<String, Tensor> buffer : buffers.entrySet()) {
            int n = buffer.getValue().numel();
            if (isCounter(buffer.getKey())) {
                System.arraycopy(parts[0], at, average, at, n);
            }
            at += n;
        }
        ParameterVectors.arrayToParameters(average, List.copyOf(buffers.values()));
    }

    /** All of a model's buffers, in order, in one array. */
    static float[] of(Map<String, Tensor> buffers) {
        return ParameterVectors.parametersToArray(List.copyOf(buffers.values()));
    }

    private static float[] divided(float[] sum, int divisor) {
        float[] quotient = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            quotient[i] = sum[i] / divisor;
        }
        return quotient;
    }

    private static boolean isCounter(String name) {
        return name.equals(COUNTER) || name.endsWith("." + COUNTER);
    }
}
