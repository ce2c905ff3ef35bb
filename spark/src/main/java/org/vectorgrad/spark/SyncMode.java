package org.vectorgrad.spark;

/** How the workers of a data-parallel step combine their gradients. */
public enum SyncMode {
    /**
     * Barrier tasks that live for a whole epoch and exchange gradients directly every step: a
     * reduce-scatter then an all-gather, each chunk summed in worker order. Over TCP connections
     * between the tasks (addresses swapped once, through the driver), or through memory when all
     * tasks run in one JVM (local mode). The default.
     */
    DIRECT,
    /**
     * Barrier tasks that live for a whole epoch and exchange gradients every step through
     * {@code BarrierTaskContext.allGather} (Base64 text relayed by the driver). Needs no extra
     * ports between executors, but every step's gradients travel through the driver.
     */
    ALL_GATHER,
    /**
     * No barrier mode (dynamic allocation, too few task slots, a cluster manager without it):
     * one Spark job per step whose tasks return their gradients, summed on the driver in partition
     * order, after one shuffle per epoch that moves every sample to the partition whose worker
     * computes it. Same numbers as the barrier modes, tens of milliseconds per step.
     */
    JOB_PER_STEP
}
