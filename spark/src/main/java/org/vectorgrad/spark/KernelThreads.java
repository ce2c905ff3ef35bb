package org.vectorgrad.spark;

import java.util.function.Supplier;
import org.apache.spark.TaskContext;
import org.vectorgrad.Parallelism;

/**
 * Kernel threads on executors: a task gets the cores Spark reserved for it ({@code spark.task.cpus},
 * 1 by default), not the host's processors, so that several tasks on one executor do not each
 * start a pool the size of the machine.
 */
final class KernelThreads {
    private KernelThreads() {
    }

    /** The threads this task may use: {@code requested} if positive, else the task's CPUs. */
    static int forTask(int requested) {
        if (requested > 0) {
            return requested;
        }
        TaskContext task = TaskContext.get();
        return task == null ? Parallelism.threads() : Math.max(1, task.cpus());
    }

    /**
     * Runs {@code work} with the kernels of this thread capped at {@code threads}: a per-thread
     * cap, so tasks sharing an executor JVM (and a local-mode driver) keep their own counts.
     */
    static <T> T call(int threads, Supplier<T> work) {
        return Parallelism.withThreads(threads, work);
    }
}
