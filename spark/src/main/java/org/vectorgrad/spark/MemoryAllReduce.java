package org.vectorgrad.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.ParameterVectors;

/**
 * The all-reduce of workers that share one JVM (local mode, or every task of a stage on one
 * executor): each chunk added in worker order as in {@link SocketAllReduce}, so the same bits, but
 * through memory. Between two barriers every worker adds its chunk of everyone's vectors into one
 * shared sum, which all of them then read in place: no sockets and no copies. One shared sum is
 * enough: a worker writes it in step s+1 only after everyone has passed step s+1's first barrier,
 * which each reaches only once done reading step s's sum. A step's gradients take
 * {@link #sumGradients} instead: one barrier, no vectors built.
 */
final class MemoryAllReduce implements AllReduce {
    private static final Map<String, Group> GROUPS = new ConcurrentHashMap<>();

    /** The workers of one stage attempt in this JVM: their vectors and a barrier. */
    private static final class Group {
        final float[][] vectors;
        final List<List<Tensor>>[] gradients;
        final float[][] losses;
        final byte[][][] messages;
        final ShardView[] views;
        final StepBarrier barrier;
        float[] total;
        int open;

        Group(int world) {
            vectors = new float[world][];
            gradients = parityPair(world);
            losses = new float[2][world];
            messages = new byte[world][][];
            views = new ShardView[world];
            barrier = new StepBarrier(world);
            open = world;
        }
    }

    private final String key;
    private final Group group;
    private final int rank;
    private final BooleanSupplier killed;
    private float[][] parts = new float[0][];
    private float[] sum;
    private int[] offsets = new int[0];

    /** Joins the group {@code key} (one per barrier stage attempt) of {@code world} workers. */
    MemoryAllReduce(String key, int rank, int world, BooleanSupplier killed) {
        this.key = key;
        this.group = GROUPS.computeIfAbsent(key, k -> new Group(world));
        this.rank = rank;
        this.killed = killed;
    }

    @Override
    public float[] sum(float[] v, int step) throws IOException {
        int k = group.vectors.length;
        if (k == 1) {
            return v;
        }
        float[] total = sharedTotal(v.length);
        group.vectors[rank] = v;
        await(step);
        if (parts.length != k) {
            parts = new float[k][];
            offsets = new int[k];
        }
        for (int j = 0; j < k; j++) {
            parts[j] = group.vectors[j];
            if (parts[j].length != v.length) {
                throw new IOException("worker " + j + " exchanges " + parts[j].length + " floats in step " + step
                        + ", worker " + rank + " " + v.length);
            }
        }
        int n = v.length;
        int from = AllReduce.bound(n, k, rank);
        Arrays.fill(offsets, from);
        AllReduce.addInOrder(parts, offsets, AllReduce.bound(n, k, rank + 1) - from, total, from);
        await(step);
        return total;
    }

    /**
     * Every worker sums all of everyone's gradients where they lie, in worker order, into its own
     * array ({@link ParameterVectors#sumGradients}: the same floats as {@link #sum}). Twice the
     * adds of summing one chunk each (about 60 µs more for the MLP's 235k gradients), but one
     * barrier a step instead of two: waking a parked worker takes about 70 µs on these VMs (a
     * park/unpark ping-pong), and each barrier also waits for the later worker. The MLP's Spark
     * loop went from 0.91 to 0.78-0.84 s an epoch once warm. A worker's gradients are
     * published as the tensors themselves; its next backward writes new ones (zeroGrad drops
     * them, and buffers a leaf adopts are never recycled), so peers may still read the old ones.
     * Slots alternate with the step's parity: a worker can be at most one step ahead of the
     * slowest, which may still be reading the previous step's slot.
     */
    @Override
    public float[] sumGradients(GradientStep step, int stepIndex) throws IOException {
        int k = group.vectors.length;
        if (k == 1) {
            return AllReduce.super.sumGradients(step, stepIndex);
        }
        List<Tensor> params = step.params();
        int n = ParameterVectors.numel(params);
        if (sum == null || sum.length != n + 1) {
            sum = new float[n + 1];
        }
        int slot = stepIndex & 1;
        group.gradients[slot].set(rank, gradientsOf(params));
        group.losses[slot][rank] = step.weightedLoss();
        await(stepIndex);
        ParameterVectors.sumGradients(params, group.gradients[slot], 0, n, sum, 0);
        float loss = group.losses[slot][0];
        for (int j = 1; j < k; j++) {
            loss += group.losses[slot][j];
        }
        sum[n] = loss;
        return sum;
    }

    private static List<Tensor> gradientsOf(List<Tensor> params) {
        List<Tensor> grads = new ArrayList<>(params.size());
        for (Tensor p : params) {
            grads.add(p.grad());
        }
        return grads;
    }

    @Override
    public byte[][] swap(byte[][] outgoing) throws IOException {
        group.messages[rank] = outgoing;
        await(-1);
        byte[][] incoming = new byte[outgoing.length][];
        for (int peer = 0; peer < incoming.length; peer++) {
            incoming[peer] = peer == rank ? new byte[0] : group.messages[peer][rank];
        }
        await(-1); // nobody publishes again before everyone has read
        return incoming;
    }

    /**
     * In one JVM nothing needs to move: every worker reads its peers' blocks in place. One barrier
     * is enough: a stage attempt's group publishes its views once, and blocks are never modified.
     */
    @Override
    public ShardView complete(ShardView own, BatchShares shares, int rank) throws IOException {
        group.views[rank] = own;
        await(-1);
        return SampleSwap.checked(ShardView.merge(List.of(group.views)), shares, rank);
    }

    @SuppressWarnings("unchecked")
    private static List<List<Tensor>>[] parityPair(int world) {
        return new List[] {new ArrayList<>(Collections.nCopies(world, null)),
            new ArrayList<>(Collections.nCopies(world, null))};
    }

    // The first worker to call with a new length (a step's gradients, or the epoch's final
    // statistics) resizes it; the others, before the same first barrier, get that array.
    private float[] sharedTotal(int n) {
        synchronized (group) {
            if (group.total == null || group.total.length != n) {
                group.total = new float[n];
            }
            return group.total;
        }
    }

    private void await(int step) throws IOException {
        group.barrier.await(rank, step, killed);
    }

    /** This worker failed: the others stop waiting for it (their barrier is terminated). */
    @Override
    public void abort() {
        group.barrier.breakFor();
    }

    @Override
    public void close() {
        synchronized (group) {
            if (--group.open == 0) {
                GROUPS.remove(key, group);
            }
        }
    }
}
