package org.vectorgrad.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;

/**
 * Buffers that each replica updates from its own rows (BatchNorm's running mean and variance) are
 * averaged over the workers, as timm's {@code distribute_bn} does before evaluation, so that every
 * sample counts, not only worker 0's. The update is linear in the batch statistics, so averaging
 * once per epoch (barrier mode) equals averaging every step (the per-step fallback). With equal
 * shares per step the averaged running mean is the single-process one; the averaged variance lacks
 * the spread between the shards' means. Counters ({@code num_batches_tracked}) are worker 0's: the
 * same on every worker that had rows in every step.
 */
final class RunningStatistics {
    private static final String COUNTER = "num_batches_tracked";

    private RunningStatistics() {
    }

    /** Barrier mode, at the end of an epoch: a collective, every worker calls it with the same architecture. */
    static void average(Map<String, Tensor> buffers, AllReduce exchange, int step, int world) throws IOException {
        List<Tensor> statistics = statistics(buffers);
        if (statistics.isEmpty() || world == 1) {
            return;
        }
        assign(statistics, exchange.sum(flatten(statistics), step), world);
    }

    /** The per-step fallback: {@code perWorker} holds each worker's {@link #flatten} of all its buffers. */
    static void combine(Map<String, Tensor> buffers, List<float[]> perWorker) {
        float[] first = perWorker.getFirst();
        float[] average = new float[first.length];
        int at = 0;
        for (Map.Entry<String, Tensor> buffer : buffers.entrySet()) {
            int n = buffer.getValue().numel();
            if (isCounter(buffer.getKey())) {
                System.arraycopy(first, at, average, at, n);
            } else {
                AllReduce.addInOrder(perWorker.toArray(new float[0][]), offsets(perWorker.size(), at), n, average, at);
                for (int i = at; i < at + n; i++) {
                    average[i] /= perWorker.size();
                }
            }
            at += n;
        }
        assign(buffers.values(), average, 1);
    }

    /** All of {@code buffers}' values, in order, in one array. */
    static float[] flatten(Collection<Tensor> buffers) {
        float[] flat = new float[buffers.stream().mapToInt(Tensor::numel).sum()];
        int at = 0;
        for (Tensor buffer : buffers) {
            float[] values = buffer.toArray();
            System.arraycopy(values, 0, flat, at, values.length);
            at += values.length;
        }
        return flat;
    }

    /** Overwrites {@code buffers}, in order, with {@code values} divided by {@code divisor}. */
    static void assign(Collection<Tensor> buffers, float[] values, int divisor) {
        int at = 0;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            for (Tensor buffer : buffers) {
                float[] scaled = new float[buffer.numel()];
                for (int i = 0; i < scaled.length; i++) {
                    scaled[i] = values[at + i] / divisor;
                }
                buffer.copyFrom(Tensor.fromArray(scaled, buffer.shape()));
                at += scaled.length;
            }
        }
    }

    private static List<Tensor> statistics(Map<String, Tensor> buffers) {
        List<Tensor> statistics = new ArrayList<>();
        buffers.forEach((name, buffer) -> {
            if (!isCounter(name)) {
                statistics.add(buffer);
            }
        });
        return statistics;
    }

    private static boolean isCounter(String name) {
        return name.equals(COUNTER) || name.endsWith("." + COUNTER);
    }

    private static int[] offsets(int k, int at) {
        int[] offsets = new int[k];
        Arrays.fill(offsets, at);
        return offsets;
    }
}
