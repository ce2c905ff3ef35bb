package org.vectorgrad.spark;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A reusable barrier for workers in one JVM that meet every few hundred microseconds: a waiter
 * spins for up to {@value #SPIN_NANOS} ns (waking a parked thread costs tens of microseconds,
 * a large share of a step), then naps in short parks, checking for a kill. Arrivals happen-before
 * everyone's return (an atomic count, then a volatile generation), so the vectors written before
 * {@link #await} are visible after it. {@link #breakFor} makes every waiter fail.
 */
final class SpinBarrier {
    private static final long SPIN_NANOS = 200_000;
    private static final long NAP_NANOS = 50_000;

    private final int parties;
    private final AtomicInteger arrived = new AtomicInteger();
    private volatile int generation;
    private volatile boolean broken;

    SpinBarrier(int parties) {
        this.parties = parties;
    }

    void await(int rank, int step, BooleanSupplier killed) throws IOException {
        int current = generation;
        if (arrived.incrementAndGet() == parties) {
            arrived.set(0);
            generation = current + 1;
            return;
        }
        long start = System.nanoTime();
        while (generation == current) {
            if (broken) {
                throw new PeerLostException(-1, AllReduce.doing(step), null);
            }
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(NAP_NANOS);
                if (Thread.interrupted() || killed.getAsBoolean()) {
                    throw new InterruptedIOException("worker " + rank + " was cancelled " + AllReduce.doing(step));
                }
            }
        }
    }

    /** A worker failed: the others stop waiting for it. */
    void breakFor() {
        broken = true;
    }
}
