package org.vectorgrad.spark;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The all-reduce of workers that share one JVM (local mode, or every task of a stage on one
 * executor): each chunk added in worker order as in {@link SocketAllReduce}, so the same bits, but
 * through memory. Between two barriers every worker adds its chunk of everyone's vectors into one
 * shared sum, which all of them then read in place: no sockets and no copies. One shared sum is
 * enough: a worker writes it in step s+1 only after everyone has passed step s+1's first barrier,
 * which each reaches only once done reading step s's sum.
 */
final class MemoryAllReduce implements AllReduce {
    private static final Map<String, Group> GROUPS = new ConcurrentHashMap<>();

    /** The workers of one stage attempt in this JVM: their vectors and a barrier. */
    private static final class Group {
        final float[][] vectors;
        final byte[][][] messages;
        final ShardView[] views;
        final StepBarrier barrier;
        float[] total;
        int open;

        Group(int world) {
            vectors = new float[world][];
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
