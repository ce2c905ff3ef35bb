package org.vectorgrad.spark;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The all-reduce of workers that share one JVM (local mode, or every task of a stage on one
 * executor): the same reduce-scatter and all-gather as {@link SocketAllReduce}, each chunk added
 * in worker order, so the same bits, but through memory: every worker reads the others' vectors
 * in place between three barriers per step, with no sockets and one copy.
 */
final class MemoryAllReduce implements AllReduce {
    private static final Map<String, Group> GROUPS = new ConcurrentHashMap<>();

    /** The workers of one stage attempt in this JVM: their vectors and a barrier. */
    private static final class Group {
        final float[][] vectors;
        final SpinBarrier barrier;
        int open;

        Group(int world) {
            vectors = new float[world][];
            barrier = new SpinBarrier(world);
            open = world;
        }
    }

    private final String key;
    private final Group group;
    private final int rank;
    private final BooleanSupplier killed;
    private float[][] parts = new float[0][];

    /** Joins the group {@code key} (one per barrier stage attempt) of {@code world} workers. */
    MemoryAllReduce(String key, int rank, int world, BooleanSupplier killed) {
        this.key = key;
        this.group = GROUPS.computeIfAbsent(key, k -> new Group(world));
        this.rank = rank;
        this.killed = killed;
    }

    @Override
    public void sum(float[] v, int step) throws IOException {
        int k = group.vectors.length;
        if (k == 1) {
            return;
        }
        group.vectors[rank] = v;
        await(step);
        if (parts.length != k) {
            parts = new float[k][];
        }
        for (int j = 0; j < k; j++) {
            parts[j] = group.vectors[j];
        }
        int n = v.length;
        int from = AllReduce.bound(n, k, rank);
        // Everyone reads only its own chunk of the others' vectors, so writing ours is safe.
        AllReduce.addInOrder(parts, offsets(k, from), AllReduce.bound(n, k, rank + 1) - from, v, from);
        await(step);
        for (int j = 0; j < k; j++) {
            if (j != rank) {
                int start = AllReduce.bound(n, k, j);
                System.arraycopy(parts[j], start, v, start, AllReduce.bound(n, k, j + 1) - start);
            }
        }
        // Nobody may change its vector (the next step's gradients) before everyone has copied from it.
        await(step);
    }

    private static int[] offsets(int k, int from) {
        int[] offsets = new int[k];
        Arrays.fill(offsets, from);
        return offsets;
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
